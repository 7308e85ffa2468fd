#!/usr/bin/env python3
"""Writes large hostile questionnaire files into a folder, for measuring
`aiready questionnaires validate` with /usr/bin/time (see docs/performance.md):

  dups.ron   55 MB, 32,000 questions that all have the same id
  junk.ron   50 MB of random letters, digits, brackets, quotes and line breaks
  line.ron   48 MB on one line: a deep list of identifiers
  many.ron   50 MB, 324,675 questions with nine problems each (about 2.9 million problems)
"""
import random
import sys
from pathlib import Path

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
out.mkdir(parents=True, exist_ok=True)

question = """                Question(
                    id: "dup-01",
                    prompt: "Is it approved?",
                    guidance: "%s",
                    good_looks_like: "A register.",
                    evidence: ["Register"],
                    weight: 2,
                    critical: false,
                    maps_to: (tsc: ["CC8.1"]),
                    remediation: "Start a register.",
                ),
""" % ("x" * 1300)
with open(out / "dups.ron", "w") as f:
    f.write('Questionnaire(\n    id: "fixture",\n    title: "F",\n    category: Security,\n'
            '    version: "1",\n    description: "d",\n    sections: [\n        Section(\n'
            '            stage: Training,\n            questions: [\n')
    for _ in range(32_000):
        f.write(question)
    f.write("            ],\n        ),\n    ],\n)\n")

random.seed(1)
alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 ()[]{}:,"\n'
with open(out / "junk.ron", "w") as f:
    for _ in range(50):
        f.write("".join(random.choice(alphabet) for _ in range(1_000_000)))

with open(out / "line.ron", "w") as f:
    f.write("Questionnaire(" + "a: [" * 100 + "x, " * 16_000_000)

bad = ('Question(id: "Bad Id", prompt: "", guidance: "", good_looks_like: "", evidence: [], '
       'weight: 9, critical: false, maps_to: (tsc: ["ZZ"]), remediation: ""),\n')
with open(out / "many.ron", "w") as f:
    f.write('Questionnaire(id: "fixture", title: "F", category: Security, version: "1", '
            'description: "d", sections: [Section(stage: Training, questions: [\n')
    for _ in range(50_000_000 // len(bad)):
        f.write(bad)
    f.write("]),],)\n")
