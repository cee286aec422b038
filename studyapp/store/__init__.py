"""The SQLite database: SQLModel tables, opening it (pragmas, migrations) and read-side queries; imports no other studyapp package."""
