"""The real-world mess of hand-typed and exported data, applied on purpose."""

from __future__ import annotations

import random

from orchestration.sample.world import Account, Person

FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def full_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


def email_variant(rng: random.Random, email: str, messiness: float) -> str:
    """The same address as people and systems type it: case, blanks, full-width."""
    if rng.random() >= messiness:
        return email
    style = rng.randrange(4)
    if style == 0:
        return email.upper() if rng.random() < 0.3 else email[0].upper() + email[1:]
    if style == 1:
        return f" {email} " if rng.random() < 0.5 else email + " "
    if style == 2:
        return full_width(email)
    local, domain = email.split("@")
    return f"{local.capitalize()}@{domain.upper()}"


def company_variant(rng: random.Random, account: Account, messiness: float) -> str:
    """Company names: 株式会社 before or after, (株), ㈱, Inc./Co., Ltd., full-width."""
    canonical = account.canonical_name
    if rng.random() >= messiness:
        return canonical
    if account.english:
        stem = account.stem_romaji
        return rng.choice([f"{stem}, Inc.", f"{stem} Co., Ltd.", stem.upper(), full_width(stem)])
    body = canonical.removeprefix("株式会社")
    return rng.choice(
        [
            f"{body}株式会社",
            f"(株){body}",
            f"㈱{body}",
            f"{body}（株）",
            f"株式会社 {body}",
            f"株式会社　{body}",
        ]
    )


def name_variant(rng: random.Random, person: Person) -> str:
    surname, given = person.surname[0], person.given[0]
    return rng.choice([f"{surname} {given}", f"{surname}　{given}", f"{surname}{given}"])
