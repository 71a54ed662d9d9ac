"""The simulated world: accounts, people, sales users and the campaign calendar."""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import cached_property

from orchestration.sample import vocabulary as v

JST = timezone(timedelta(hours=9))
SIM_START = datetime(2024, 4, 1, tzinfo=JST).astimezone(UTC)
SIM_END = datetime(2026, 9, 30, 23, 59, tzinfo=JST).astimezone(UTC)
EXPORT_AT = datetime(2026, 10, 1, 9, 0, tzinfo=JST).astimezone(UTC)
EARLY_EXPORT_AT = datetime(2026, 7, 1, 9, 0, tzinfo=JST).astimezone(UTC)


@dataclass
class Account:
    index: int
    stem_ja: str
    stem_romaji: str
    english: bool
    industry: str
    employees: int
    size_band: str
    prefecture: str
    targeted: bool
    crm_id: str | None = None

    @property
    def canonical_name(self) -> str:
        if self.english:
            return f"{self.stem_romaji} Inc."
        suffix = v.INDUSTRIES[self.industry][2][self.index % 2]
        return f"株式会社{self.stem_ja}{suffix}"

    @property
    def domain(self) -> str:
        tld = "com" if self.english else "co.jp"
        return f"{self.stem_romaji.lower()}{self.index}.{tld}"


@dataclass
class Person:
    index: int
    account: Account
    surname: tuple[str, str]
    given: tuple[str, str]
    title: str
    seniority: str
    department: str
    origin: str  # inbound | event | target
    engagement: float
    email: str = ""

    @cached_property
    def person_id(self) -> str:
        return f"P{self.index:08d}"

    @property
    def full_name_ja(self) -> str:
        return f"{self.surname[0]} {self.given[0]}"


@dataclass
class User:
    crm_id: str
    name: str
    email: str
    team: str
    role_id: str


@dataclass
class Calendar:
    """Dated marketing programmes shared by everyone."""

    webinars: list[tuple[str, datetime]] = field(default_factory=list)
    trade_shows: list[tuple[str, datetime]] = field(default_factory=list)
    newsletters: list[tuple[str, datetime]] = field(default_factory=list)
    outreach_waves: list[tuple[str, datetime]] = field(default_factory=list)
    _seconds: dict[str, list[float]] = field(default_factory=dict, repr=False, compare=False)

    def after(
        self, programme: str, at: datetime, inclusive: bool = False
    ) -> list[tuple[str, datetime]]:
        """The programme's entries dated after `at` (or at it, when `inclusive`), in date
        order: a binary search over POSIX seconds (programmes are built in date order and
        not changed once searched; floats compare much faster than aware datetimes)."""
        seconds = self._seconds.get(programme)
        entries = getattr(self, programme)
        if seconds is None:
            seconds = self._seconds[programme] = [day.timestamp() for _, day in entries]
        search = bisect_left if inclusive else bisect_right
        return entries[search(seconds, at.timestamp()) :]


def build_accounts(rng: random.Random, count: int, first_index: int = 0) -> list[Account]:
    industries = list(v.INDUSTRIES)
    bands = list(v.SIZE_BANDS)
    accounts = []
    for index in range(first_index, first_index + count):
        english = rng.random() < 0.2
        if english:
            stem_ja = stem_romaji = rng.choice(v.ENGLISH_STEMS)
        else:
            stem_ja, stem_romaji = rng.choice(v.COMPANY_STEMS)
        band = rng.choices(bands, v.SIZE_WEIGHTS)[0]
        low, high = v.SIZE_BANDS[band][0]
        accounts.append(
            Account(
                index=index,
                stem_ja=stem_ja,
                stem_romaji=stem_romaji.capitalize() if not english else stem_romaji,
                english=english,
                industry=rng.choices(industries, v.INDUSTRY_WEIGHTS)[0],
                employees=rng.randint(low, high),
                size_band=band,
                prefecture=rng.choice(v.PREFECTURES),
                targeted=rng.random() < 0.3,
            )
        )
    return accounts


def build_users() -> list[User]:
    users = []
    for team_index, team in enumerate([*v.SALES_TEAMS, v.MARKETING_TEAM]):
        for member in range(4 if team != v.MARKETING_TEAM else 2):
            n = team_index * 10 + member
            surname, given = v.SURNAMES[n % len(v.SURNAMES)], v.GIVEN_NAMES[n % len(v.GIVEN_NAMES)]
            users.append(
                User(
                    crm_id=f"005{n:012d}",
                    name=f"{surname[0]} {given[0]}",
                    email=f"{given[1]}.{surname[1]}@common-funnel.example",
                    team=team,
                    role_id=f"00E{team_index:012d}",
                )
            )
    return users


def build_calendar() -> Calendar:
    calendar = Calendar()
    month = datetime(2024, 4, 1, tzinfo=JST)
    index = 0
    while month.astimezone(UTC) < SIM_END:
        topic = v.WEBINAR_TOPICS[index % len(v.WEBINAR_TOPICS)]
        label = f"{month:%Y年%m月}"
        calendar.webinars.append((f"ウェビナー「{topic}」{label}", month.replace(day=20)))
        calendar.newsletters.append((f"月刊ニュースレター {label}号", month.replace(hour=10)))
        if month.month in (5, 8, 11, 2):
            show = v.TRADE_SHOWS[index % len(v.TRADE_SHOWS)]
            calendar.trade_shows.append((f"{show} {month:%Y}", month.replace(day=12)))
        if month.month in (4, 7, 10, 1):
            calendar.outreach_waves.append(
                (f"ターゲットアウトリーチ {label}", month.replace(day=8, hour=11))
            )
        index += 1
        month = (month + timedelta(days=32)).replace(day=1)
    return calendar


def build_people(
    rng: random.Random, accounts: list[Account], count: int, first_index: int = 0
) -> list[Person]:
    """People at accounts; target-list people are department heads of targeted accounts."""
    targeted = [a for a in accounts if a.targeted] or accounts
    titles = [t for t, _ in v.TITLES]
    seniority = dict(v.TITLES)
    used_emails: set[str] = set()
    people = []
    for index in range(first_index, first_index + count):
        origin = rng.choices(["inbound", "event", "target"], [60, 25, 15])[0]
        if origin == "target":
            account = rng.choice(targeted)
            title, level = rng.choice(v.HEAD_TITLES)
        else:
            account = rng.choice(accounts)
            title = rng.choices(titles, v.TITLE_WEIGHTS)[0]
            level = seniority[title]
        person = Person(
            index=index,
            account=account,
            surname=rng.choice(v.SURNAMES),
            given=rng.choice(v.GIVEN_NAMES),
            title=title,
            seniority=level,
            department=rng.choice(v.DEPARTMENTS),
            origin=origin,
            engagement=rng.choice([0.3, 0.6, 1.0, 1.6]),
        )
        local = f"{person.given[1]}.{person.surname[1]}"
        email, n = f"{local}@{account.domain}", 1
        while email in used_emails:
            n += 1
            email = f"{local}{n}@{account.domain}"
        used_emails.add(email)
        person.email = email
        people.append(person)
    return people
