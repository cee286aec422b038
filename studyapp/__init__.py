"""studyapp: flashcards for deep-learning interviews whose answers run."""

__version__ = "0.1.0"
