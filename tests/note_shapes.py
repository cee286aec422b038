"""Note texts in the shapes that make regexes or markdown slow (tests/notes checks they parse, tests/bench times them)."""

SHAPES = {
    "a 1 MB single line": "x" * 1_000_000,
    "a 1 MB question line": "what " * 200_000 + "?",
    "500 nested list levels": "".join("  " * i + "- item\n" for i in range(500)),
    "500 nested question items": "".join("  " * i + "1. what?\n" for i in range(500)),
    "100k lines": "\n".join(f"**Q{i}?**" if i % 3 == 0 else f"answer {i}" for i in range(100_000)),
    "unclosed brackets": "[[" * 100_000,
    "unclosed details": "<details><summary>" * 20_000,
    "unclosed clozes": "{{c1::" + "a::" * 300_000,
    "unclosed SR comments": "<!--SR:" * 100_000,
    "a long emoji run": "🔴" * 300_000 + "?",
    "a 50k-row table": "| Question | Answer |\n|---|---|\n" + "| q? | a |\n" * 50_000,
    "100k headings": "# what?\n" * 100_000,
    "a 100k-item list": "".join(f"- what is {i}?\n  answer {i}\n" for i in range(100_000)),
    "a question bank of 8k topics": ("1. Topic.\n" + "    1. [E] Why?\n" * 5) * 8_000,
}
