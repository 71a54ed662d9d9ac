"""Write each journey into the exports of the systems that saw it.

Marketing automation (HubSpot-like), the event platform and card scanner (CP932), the
purchased target lists (UTF-8 with BOM) and the CRM (Salesforce objects). Every record
that stands for a real person or deal is written from the journey; the only records with
no truth behind them are the deliberate defects, which the loader must reject.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from orchestration.sample import vocabulary as v
from orchestration.sample.journeys import Cycle, Journey, Opportunity, Touch
from orchestration.sample.mess import company_variant, email_variant, name_variant
from orchestration.sample.sinks import CsvSink
from orchestration.sample.stamps import (
    jst_day,
    jst_day_slashed,
    jst_minutes_slashed,
    jst_seconds,
    utc_millis,
)
from orchestration.sample.world import (
    EARLY_EXPORT_AT,
    EXPORT_AT,
    JST,
    Account,
    Calendar,
    User,
)

FORMS = {  # form id -> (name, form type, intent)
    "f-doc-catalog": ("資料請求（製品カタログ）", "資料請求", "document_request"),
    "f-doc-cases": ("資料請求（導入事例集）", "資料請求", "document_request"),
    "f-wp-roi": ("ホワイトペーパーDL（ROI試算）", "コンテンツDL", "content_download"),
    "f-wp-compare": ("ホワイトペーパーDL（比較ガイド）", "コンテンツDL", "content_download"),
    "f-webinar": ("ウェビナー申込", "ウェビナー申込", "webinar_registration"),
    "f-demo": ("デモ依頼・お問い合わせ", "お問い合わせ", "demo_request"),
}
FORMS_BY_INTENT: dict[str, list[str]] = {}
for _form_id, (_name, _type, _intent) in FORMS.items():
    FORMS_BY_INTENT.setdefault(_intent, []).append(_form_id)
LEAD_SOURCES = {
    "document_request": "Web - 資料請求",
    "content_download": "Web - Content",
    "webinar_registration": "Webinar",
    "webinar_attendance": "Webinar",
    "demo_request": "Web - Demo Request",
    "business_card": "Trade Show",
    "email_click": "Outbound - Target List",
    "email_send": "Outbound - Target List",
}
EMAIL_EVENTS = {  # touch kind -> HubSpot's event type, the link clicked
    "email_send": ("SENT", None),
    "email_open": ("OPEN", None),
    "email_click": ("CLICK", "https://www.common-funnel.example/lp"),
}
STATUS_OPEN, STATUS_WORKING = "Open - Not Contacted", "Working - Contacted"
STATUS_CONVERTED = "Closed - Converted"
STATUS_END = {"recycled": "Nurture", "disqualified": "Unqualified"}


class Ids:
    """Salesforce-looking ids: a 3-character key prefix and a counter from `offset` (a
    chunk's own range: see `orchestration.sample.chunks`)."""

    def __init__(self, offset: int = 0) -> None:
        self.offset = offset
        self.counters: dict[str, int] = {}

    def next(self, prefix: str) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.offset + self.counters[prefix]:012d}"


class Exporter:
    """Writes journeys into the exports. `id_offset` starts every id counter in a chunk's own
    range; `reference` writes the reference data that is the same for every chunk (users,
    roles, campaigns, forms, e-mail campaigns): one chunk does it."""

    def __init__(
        self,
        root: Path,
        rng: random.Random,
        users: list[User],
        calendar: Calendar,
        id_offset: int = 0,
        reference: bool = True,
    ) -> None:
        self.root, self.rng, self.users, self.calendar = root, rng, users, calendar
        self.ids = Ids(id_offset)
        self.reference = reference
        self.sales_users = [u for u in users if u.team != v.MARKETING_TEAM]
        self.sinks: dict[str, CsvSink] = {}
        # Programme ids follow the calendar, so every chunk names a programme alike.
        self.campaign_ids: dict[str, str] = {
            name: f"701{number:012d}"
            for number, (name, _) in enumerate(
                [*calendar.webinars, *calendar.trade_shows, *calendar.outreach_waves], start=1
            )
        }
        self.email_ids: dict[str, str] = {
            name: str(100000 + number)
            for number, (name, _) in enumerate([*calendar.newsletters, *calendar.outreach_waves])
        }
        self.crm_accounts: dict[int, tuple[Account, datetime, bool]] = {}
        self.person_records: list[tuple[str, str, str]] = []
        self.opportunity_ids: dict[int, str] = {}
        self._lead_reasons: list[tuple[datetime, str]] = []  # of the lead being written
        self._open_sinks()

    # ---------------------------------------------------------------- files
    def _sink(self, key: str, rel: str, table: str, header: list[str], **kw: object) -> None:
        self.sinks[key] = CsvSink(self.root / rel, table, header, **kw).open()  # type: ignore[arg-type]

    def _open_sinks(self) -> None:
        sf = "salesforce"
        lead_h = [
            "Id",
            "FirstName",
            "LastName",
            "Email",
            "Company",
            "Title",
            "Industry",
            "NumberOfEmployees",
            "LeadSource",
            "Status",
            "Rejection_Reason__c",
            "OwnerId",
            "IsConverted",
            "ConvertedDate",
            "ConvertedAccountId",
            "ConvertedContactId",
            "ConvertedOpportunityId",
            "IsDeleted",
            "CreatedDate",
            "LastModifiedDate",
        ]
        opp_h = [
            "Id",
            "AccountId",
            "Name",
            "StageName",
            "Amount",
            "Probability",
            "CloseDate",
            "IsClosed",
            "IsWon",
            "LeadSource",
            "Lost_Reason__c",
            "CampaignId",
            "OwnerId",
            "IsDeleted",
            "CreatedDate",
            "LastModifiedDate",
        ]
        contact_h = [
            "Record ID",
            "Email",
            "First Name",
            "Last Name",
            "Company Name",
            "Job Title",
            "Industry",
            "Lifecycle Stage",
            "Became a Lead Date",
            "Became a Marketing Qualified Lead Date",
            "HubSpot Score",
            "Original Source",
            "Create Date",
            "Last Modified Date",
        ]
        for stamp in ("20260701", "20261001"):
            self._sink(
                f"lead_{stamp}", f"{sf}/Lead/Lead_{stamp}.csv", "raw_salesforce.lead", lead_h
            )
            self._sink(
                f"opp_{stamp}",
                f"{sf}/Opportunity/Opportunity_{stamp}.csv",
                "raw_salesforce.opportunity",
                opp_h,
            )
            self._sink(
                f"hs_contact_{stamp}",
                f"hubspot/contacts/contacts_{stamp}.csv",
                "raw_hubspot.contact",
                contact_h,
            )
        self._sink(
            "lead_history",
            f"{sf}/LeadHistory/LeadHistory_20261001.csv",
            "raw_salesforce.lead_history",
            ["Id", "LeadId", "Field", "OldValue", "NewValue", "CreatedById", "CreatedDate"],
        )
        self._sink(
            "opp_history",
            f"{sf}/OpportunityHistory/OpportunityHistory_20261001.csv",
            "raw_salesforce.opportunity_history",
            [
                "Id",
                "OpportunityId",
                "StageName",
                "Amount",
                "Probability",
                "CloseDate",
                "CreatedById",
                "IsDeleted",
                "CreatedDate",
            ],
        )
        self._sink(
            "contact",
            f"{sf}/Contact/Contact_20261001.csv",
            "raw_salesforce.contact",
            [
                "Id",
                "AccountId",
                "FirstName",
                "LastName",
                "Email",
                "Title",
                "Department",
                "LeadSource",
                "OwnerId",
                "IsDeleted",
                "CreatedDate",
                "LastModifiedDate",
            ],
        )
        self._sink(
            "task",
            f"{sf}/Task/Task_20261001.csv",
            "raw_salesforce.task",
            [
                "Id",
                "WhoId",
                "WhatId",
                "Subject",
                "TaskSubtype",
                "Status",
                "ActivityDate",
                "OwnerId",
                "IsDeleted",
                "CreatedDate",
            ],
        )
        self._sink(
            "campaign_member",
            f"{sf}/CampaignMember/CampaignMember_20261001.csv",
            "raw_salesforce.campaign_member",
            [
                "Id",
                "CampaignId",
                "LeadId",
                "ContactId",
                "Status",
                "HasResponded",
                "FirstRespondedDate",
                "CreatedDate",
            ],
        )
        self._sink(
            "form_submission",
            "hubspot/form_submissions/form_submissions_20261001.csv",
            "raw_hubspot.contact_form_submission",
            ["Conversion ID", "Contact ID", "Form ID", "Email", "Page URL", "Submitted At"],
        )
        self._sink(
            "email_event",
            "hubspot/email_events/email_events_20261001.csv",
            "raw_hubspot.email_event",
            ["Event ID", "Event Type", "Recipient", "Email ID", "URL", "Event Time"],
        )
        card_h = [
            "名刺ID",
            "会社名",
            "部署名",
            "役職",
            "氏名",
            "メールアドレス",
            "電話番号",
            "交換日",
            "交換場所",
            "所有者",
            "登録日時",
        ]
        for stamp in ("20260401", "20261001"):
            self._sink(
                f"card_{stamp}",
                f"events/business_cards/meishi_{stamp}.csv",
                "raw_events.business_card",
                card_h,
                encoding="cp932",
                excel=True,
            )
        attendee_h = [
            "申込ID",
            "イベント名",
            "イベント種別",
            "開催日",
            "会社名",
            "部署名",
            "役職",
            "氏名",
            "メールアドレス",
            "電話番号",
            "参加ステータス",
            "登録日時",
        ]
        for year in (2024, 2025, 2026):
            self._sink(
                f"attendee_{year}",
                f"events/attendees/attendees_FY{year}.csv",
                "raw_events.event_attendee",
                attendee_h,
                encoding="cp932",
                excel=True,
            )
        target_h = [
            "リストID",
            "リスト名",
            "企業名",
            "業種",
            "従業員規模",
            "従業員数",
            "企業URL",
            "部署名",
            "役職",
            "氏名",
            "メールアドレス",
            "購入日",
        ]
        for year in (2024, 2025):
            self._sink(
                f"target_{year}",
                f"target_lists/target_list_{year}.csv",
                "raw_target_lists.target_account",
                target_h,
                encoding="utf-8-sig",
                excel=True,
            )

    def close(self) -> list[CsvSink]:
        if self.reference:
            self._write_reference_data()
        self._write_crm_accounts()
        for sink in self.sinks.values():
            sink.close()
        return list(self.sinks.values())

    # ---------------------------------------------------------------- reference data
    def _write_reference_data(self) -> None:
        sf = "salesforce"
        users = CsvSink(
            self.root / f"{sf}/User/User_20261001.csv",
            "raw_salesforce.user",
            ["Id", "Name", "Email", "Department", "UserRoleId", "IsActive", "CreatedDate"],
        ).open()
        roles = CsvSink(
            self.root / f"{sf}/UserRole/UserRole_20261001.csv",
            "raw_salesforce.user_role",
            ["Id", "Name", "ParentRoleId"],
        ).open()
        seen_roles: set[str] = set()
        for user in self.users:
            users.write(
                [
                    user.crm_id,
                    user.name,
                    user.email,
                    user.team,
                    user.role_id,
                    "true",
                    "2024-01-05T00:00:00.000Z",
                ]
            )
            if user.role_id not in seen_roles:
                seen_roles.add(user.role_id)
                roles.write([user.role_id, user.team, None])
        campaigns = CsvSink(
            self.root / f"{sf}/Campaign/Campaign_20261001.csv",
            "raw_salesforce.campaign",
            ["Id", "Name", "Type", "Status", "StartDate", "EndDate", "IsActive", "CreatedDate"],
        ).open()
        for kind, programme in (
            ("Webinar", self.calendar.webinars),
            ("Trade Show", self.calendar.trade_shows),
            ("Email", self.calendar.outreach_waves),
        ):
            for name, day in programme:
                campaigns.write(
                    [
                        self._campaign_id(name),
                        name,
                        kind,
                        "Completed" if day < EXPORT_AT else "Planned",
                        jst_day(day),
                        jst_day(day),
                        "false",
                        utc_millis(day - timedelta(days=30)),
                    ]
                )
        forms = CsvSink(
            self.root / "hubspot/forms/forms_20261001.csv",
            "raw_hubspot.form",
            ["Form ID", "Form Name", "Form Type", "Created At"],
        ).open()
        for form_id, (name, form_type, _) in FORMS.items():
            forms.write([form_id, name, form_type, "2024-03-01 10:00:00"])
        emails = CsvSink(
            self.root / "hubspot/email_campaigns/email_campaigns_20261001.csv",
            "raw_hubspot.email_campaign",
            ["Email ID", "Email Name", "Subject", "Email Type", "Created At"],
        ).open()
        for kind, programme in (
            ("BATCH_EMAIL", self.calendar.newsletters),
            ("OUTREACH_EMAIL", self.calendar.outreach_waves),
        ):
            for name, day in programme:
                emails.write(
                    [
                        self._email_id(name),
                        name,
                        f"【ご案内】{name}",
                        kind,
                        jst_seconds(day - timedelta(days=3)),
                    ]
                )
        for sink in (users, roles, campaigns, forms, emails):
            self.sinks[sink.table] = sink

    def _write_crm_accounts(self) -> None:
        """The CRM accounts this writer's opportunities created, after every journey."""
        sf = "salesforce"
        accounts = CsvSink(
            self.root / f"{sf}/Account/Account_20261001.csv",
            "raw_salesforce.account",
            [
                "Id",
                "Name",
                "Industry",
                "NumberOfEmployees",
                "Website",
                "BillingState",
                "Type",
                "OwnerId",
                "IsDeleted",
                "CreatedDate",
                "LastModifiedDate",
            ],
        ).open()
        for account, created, won in self.crm_accounts.values():
            accounts.write(
                [
                    account.crm_id,
                    company_variant(self.rng, account, 0.2),
                    v.INDUSTRIES[account.industry][0],
                    account.employees,
                    f"https://www.{account.domain}",
                    account.prefecture,
                    "Customer" if won else "Prospect",
                    self.sales_users[account.index % len(self.sales_users)].crm_id,
                    "false",
                    utc_millis(created),
                    utc_millis(created),
                ]
            )
        self.sinks[accounts.table] = accounts

    def _campaign_id(self, name: str) -> str:
        return self.campaign_ids[name]

    def _email_id(self, name: str) -> str:
        return self.email_ids[name]

    # ---------------------------------------------------------------- per journey
    def write(self, journey: Journey, defects: bool) -> None:
        person = journey.person
        self._marketing(journey)
        self._crm(journey)
        if defects:
            self._defects()
        self.person_records.append((person.person_id, "email", person.email))

    def _record(self, person_id: str, system: str, record_id: str) -> None:
        self.person_records.append((person_id, system, record_id))

    def _marketing(self, journey: Journey) -> None:
        rng, person = self.rng, journey.person
        contact_id = str(5_000_000 + person.index)
        created = min((t.at for t in journey.touches), default=EXPORT_AT)
        self._record(person.person_id, "hubspot_contact", contact_id)
        self._hubspot_contact(journey, contact_id, created, person.email)
        if rng.random() < 0.03:  # a second contact, created from a differently typed address
            twin = str(9_000_000 + person.index)
            self._record(person.person_id, "hubspot_contact", twin)
            self._hubspot_contact(
                journey, twin, created + timedelta(days=3), email_variant(rng, person.email, 1.0)
            )
        for position, touch in enumerate(journey.touches):
            if touch.kind in FORMS_BY_INTENT:
                form_id = rng.choice(FORMS_BY_INTENT[touch.kind])
                journey.touches[position] = Touch(  # dataclasses.replace is slower
                    touch.kind, touch.at, touch.campaign, touch.event_day, FORMS[form_id][0]
                )
                conversion = self.ids.next("cv-")
                self._record(person.person_id, "form_submission", conversion)
                self.sinks["form_submission"].write(
                    [
                        conversion,
                        contact_id,
                        form_id,
                        email_variant(rng, person.email, 0.2),
                        f"https://www.common-funnel.example/forms/{form_id}",
                        jst_seconds(touch.at),
                    ]
                )
                if touch.kind == "webinar_registration":
                    self._attendee(journey, touch.campaign or "", touch.event_day, touch.at)
            elif touch.kind.startswith("email_") and touch.campaign:
                event_type, url = EMAIL_EVENTS[touch.kind]
                self.sinks["email_event"].write(
                    [
                        self.ids.next("ev-"),
                        event_type,
                        email_variant(rng, person.email, 0.05),
                        self.email_ids[touch.campaign],
                        url,
                        jst_seconds(touch.at),
                    ]
                )
            elif touch.kind == "business_card":
                self._card(journey, touch.campaign or "", touch.at)
        if person.origin == "target":
            self._target_list(journey)

    def _hubspot_contact(
        self, journey: Journey, contact_id: str, created: datetime, email: str
    ) -> None:
        person, rng = journey.person, self.rng
        docs = [t.at for t in journey.touches if t.kind == "document_request"]
        hs_mql = min(docs) if docs else None  # marketing's old, unagreed notion of an MQL
        score = sum(10 for t in journey.touches if t.kind not in ("email_send",))
        source = {"event": "OFFLINE", "target": "EMAIL_MARKETING"}.get(
            person.origin, "ORGANIC_SEARCH"
        )
        last_touch = max((t.at for t in journey.touches), default=created)
        for stamp, as_of in (("20260701", EARLY_EXPORT_AT), ("20261001", EXPORT_AT)):
            if created > as_of:
                continue
            mql = hs_mql if hs_mql and hs_mql <= as_of else None
            self.sinks[f"hs_contact_{stamp}"].write(
                [
                    contact_id,
                    email,
                    person.given[1].capitalize(),
                    person.surname[1].capitalize(),
                    company_variant(rng, person.account, 0.3),
                    person.title,
                    v.INDUSTRIES[person.account.industry][1],
                    "marketingqualifiedlead" if mql else "lead",
                    jst_seconds(created),
                    jst_seconds(mql),
                    score,
                    source,
                    jst_seconds(created),
                    jst_seconds(min(last_touch, as_of)),
                ]
            )

    def _attendee(
        self, journey: Journey, event: str, day: datetime | None, registered: datetime
    ) -> None:
        person, rng = journey.person, self.rng
        assert day is not None
        attended = any(
            t.kind == "webinar_attendance" and t.event_day == day for t in journey.touches
        )
        status = "申込" if day > EXPORT_AT else ("参加" if attended else "欠席")
        fiscal_year = (day.astimezone(JST) - timedelta(days=90)).year
        registration_id = self.ids.next("W")
        self._record(person.person_id, "event_attendee", registration_id)
        self.sinks[f"attendee_{min(fiscal_year, 2026)}"].write(
            [
                registration_id,
                event,
                "ウェビナー",
                jst_day_slashed(day),
                company_variant(rng, person.account, 0.5),
                person.department,
                person.title,
                name_variant(rng, person),
                email_variant(rng, person.email, 0.3),
                f"03-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
                status,
                jst_minutes_slashed(registered),
            ]
        )

    def _card(self, journey: Journey, place: str, swapped: datetime) -> None:
        person, rng = journey.person, self.rng
        card_id = self.ids.next("M")
        self._record(person.person_id, "business_card", card_id)
        registered = swapped + timedelta(days=rng.randint(1, 5), minutes=rng.randint(0, 600))
        owner = rng.choice(self.sales_users).name
        row = [
            card_id,
            company_variant(rng, person.account, 0.6),
            person.department,
            person.title,
            name_variant(rng, person),
            email_variant(rng, person.email, 0.4),
            f"0{rng.randrange(3, 9)}-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
            jst_day_slashed(swapped),
            place,
            owner,
            jst_minutes_slashed(registered),
        ]
        if registered < datetime(2026, 4, 1, tzinfo=JST):
            self.sinks["card_20260401"].write(row)  # the earlier export repeats in the later
        self.sinks["card_20261001"].write(row)

    def _target_list(self, journey: Journey) -> None:
        person, rng, account = journey.person, self.rng, journey.person.account
        sends = [
            t.at
            for t in journey.touches
            if t.kind == "email_send" and t.campaign and t.campaign.startswith("ターゲット")
        ]
        first_send = min(sends, default=EXPORT_AT)
        row_id = f"TL{person.index:08d}"
        self._record(person.person_id, "target_list", row_id)
        band_label = v.SIZE_BANDS[account.size_band][1]
        lists = []
        if first_send < datetime(2025, 4, 1, tzinfo=JST) or rng.random() < 0.3:
            lists.append(2024)
        if first_send >= datetime(2025, 4, 1, tzinfo=JST) or rng.random() < 0.3:
            lists.append(2025)
        for year in lists:
            self.sinks[f"target_{year}"].write(
                [
                    row_id,
                    f"ターゲットリスト{year}",
                    company_variant(rng, account, 0.4),
                    v.INDUSTRIES[account.industry][1],
                    band_label,
                    account.employees,
                    f"https://www.{account.domain}",
                    person.department,
                    person.title,
                    name_variant(rng, person),
                    email_variant(rng, person.email, 0.2),
                    f"{year}/04/01",
                ]
            )

    # ---------------------------------------------------------------- CRM
    def _crm(self, journey: Journey) -> None:
        lead_id: str | None = None
        history: list[tuple[datetime, str, str]] = []  # (at, old status, new status)
        for cycle in journey.cycles:
            owner = self.sales_users[cycle.owner % len(self.sales_users)]
            synced = cycle.mql_at + timedelta(minutes=self.rng.randint(1, 10))
            if lead_id is None:
                lead_id, lead_created, history = self.ids.next("00Q"), synced, []
                self._lead_reasons = []
                self._record(journey.person.person_id, "crm_lead", lead_id)
                first_cycle = cycle
            else:
                history.append((synced, history[-1][2], STATUS_OPEN))
            self._lead_status_changes(cycle, history, synced)
            if cycle.first_followup_at is not None:
                self._task(lead_id, None, "初回架電", "Call", cycle.first_followup_at, owner)
            if cycle.opportunity is not None or cycle.end_stage in ("won", "lost"):
                self._write_lead(journey, lead_id, lead_created, history, first_cycle, cycle)
                lead_id = None  # a converted lead is closed; a later cycle opens a new one
        if lead_id is not None:
            self._write_lead(journey, lead_id, lead_created, history, first_cycle, None)

    def _lead_status_changes(
        self, cycle: Cycle, history: list[tuple[datetime, str, str]], synced: datetime
    ) -> None:
        current = history[-1][2] if history else STATUS_OPEN
        if cycle.sal_at is not None:
            history.append((cycle.sal_at, current, STATUS_WORKING))
            current = STATUS_WORKING
        if cycle.end_stage in STATUS_END and cycle.end_at is not None:
            history.append((cycle.end_at, current, STATUS_END[cycle.end_stage]))
            if cycle.rejection_reason:  # a tracked field: its history keeps every reason
                self._lead_reasons.append((cycle.end_at, cycle.rejection_reason))
        if cycle.opportunity is not None:
            history.append((cycle.opportunity.created_at, current, STATUS_CONVERTED))

    def _write_lead(
        self,
        journey: Journey,
        lead_id: str,
        created: datetime,
        history: list[tuple[datetime, str, str]],
        first_cycle: Cycle,
        converting: Cycle | None,
    ) -> None:
        person, rng = journey.person, self.rng
        owner = self.sales_users[first_cycle.owner % len(self.sales_users)]
        for at, old, new in history:
            self.sinks["lead_history"].write(
                [self.ids.next("017"), lead_id, "Status", old, new, owner.crm_id, utc_millis(at)]
            )
        previous: str | None = None
        for at, reason in self._lead_reasons:
            self.sinks["lead_history"].write(
                [
                    self.ids.next("017"),
                    lead_id,
                    "Rejection_Reason__c",
                    previous,
                    reason,
                    owner.crm_id,
                    utc_millis(at),
                ]
            )
            previous = reason
        opp = converting.opportunity if converting else None
        contact_id = account_id = opp_id = None
        if opp is not None and converting is not None:
            account_id = self._crm_account(person.account, opp)
            contact_id = self.ids.next("003")
            opp_id = self._opportunity(journey, opp, account_id, contact_id, converting)
            self._record(person.person_id, "crm_contact", contact_id)
            self.sinks["contact"].write(
                [
                    contact_id,
                    account_id,
                    person.given[0],
                    person.surname[0],
                    email_variant(rng, person.email, 0.1),
                    person.title,
                    person.department,
                    self._lead_source(journey),
                    owner.crm_id,
                    "false",
                    utc_millis(opp.created_at),
                    utc_millis(opp.created_at),
                ]
            )
        self._campaign_members(journey, lead_id, created)
        email = email_variant(rng, person.email, 0.25)
        company = company_variant(rng, person.account, 0.5)
        reason = next(
            (c.rejection_reason for c in reversed(journey.cycles) if c.rejection_reason), None
        )
        for stamp, as_of in (("20260701", EARLY_EXPORT_AT), ("20261001", EXPORT_AT)):
            if created > as_of:
                continue
            changes = [h for h in history if h[0] <= as_of]
            status = changes[-1][2] if changes else STATUS_OPEN
            converted = opp is not None and opp.created_at <= as_of
            self.sinks[f"lead_{stamp}"].write(
                [
                    lead_id,
                    person.given[0],
                    person.surname[0],
                    email,
                    company,
                    person.title,
                    v.INDUSTRIES[person.account.industry][0],
                    person.account.employees,
                    self._lead_source(journey),
                    status,
                    reason if status in STATUS_END.values() else None,
                    owner.crm_id,
                    "true" if converted else "false",
                    jst_day(opp.created_at) if converted and opp else None,
                    account_id if converted else None,
                    contact_id if converted else None,
                    opp_id if converted else None,
                    "false",
                    utc_millis(created),
                    utc_millis(changes[-1][0] if changes else created),
                ]
            )

    def _campaign_members(self, journey: Journey, lead_id: str, lead_created: datetime) -> None:
        """Campaign membership the MA syncs to the CRM once the lead exists."""
        statuses = {
            "webinar_registration": "Registered",
            "webinar_attendance": "Attended",
            "business_card": "Responded",
            "email_send": "Sent",
            "email_click": "Responded",
        }
        members: dict[str, tuple[str, datetime, datetime | None]] = {}
        for touch in journey.touches:
            if touch.campaign is None or touch.kind not in statuses:
                continue
            if touch.kind.startswith("email_"):
                continue  # e-mail programmes reach the CRM as the MA's e-mail events only
            responded = touch.kind != "email_send" and touch.kind != "webinar_registration"
            _, first, first_response = members.get(touch.campaign, ("", touch.at, None))
            if responded and first_response is None:
                first_response = touch.at
            members[touch.campaign] = (statuses[touch.kind], first, first_response)
        for campaign, (status, first, first_response) in members.items():
            self.sinks["campaign_member"].write(
                [
                    self.ids.next("00v"),
                    self._campaign_id(campaign),
                    lead_id,
                    None,
                    status,
                    str(first_response is not None).lower(),
                    jst_day(first_response),
                    utc_millis(max(first, lead_created)),
                ]
            )

    def _lead_source(self, journey: Journey) -> str:
        first = next((t for t in journey.touches if t.kind != "email_open"), None)
        return LEAD_SOURCES.get(first.kind, "Other") if first else "Other"

    def _crm_account(self, account: Account, opp: Opportunity) -> str:
        if account.crm_id is None:
            account.crm_id = self.ids.next("001")
            self.crm_accounts[account.index] = (account, opp.created_at, False)
        if opp.outcome == "won":
            _, created, _ = self.crm_accounts[account.index]
            self.crm_accounts[account.index] = (account, created, True)
        return account.crm_id

    def _opportunity(
        self, journey: Journey, opp: Opportunity, account_id: str, contact_id: str, cycle: Cycle
    ) -> str:
        person = journey.person
        owner = self.sales_users[cycle.owner % len(self.sales_users)]
        opp_id = self.ids.next("006")
        self._record(person.person_id, "crm_opportunity", opp_id)
        self.opportunity_ids[opp.index] = opp_id
        campaign = next(
            (t.campaign for t in journey.touches if t.campaign and not t.kind.startswith("email_")),
            None,
        )
        close_date = opp.closed_at or (opp.stages[-1][1] + timedelta(days=45))
        for stage, at in opp.stages:
            self.sinks["opp_history"].write(
                [
                    self.ids.next("008"),
                    opp_id,
                    stage,
                    opp.amount,
                    v.STAGE_PROBABILITY[stage],
                    jst_day(close_date),
                    owner.crm_id,
                    "false",
                    utc_millis(at),
                ]
            )
            if stage not in ("Closed Won", "Closed Lost"):
                self._task(contact_id, opp_id, f"{stage} 打合せ", "Event", at, owner)
        for stamp, as_of in (("20260701", EARLY_EXPORT_AT), ("20261001", EXPORT_AT)):
            stages = [s for s in opp.stages if s[1] <= as_of]
            if not stages:
                continue
            stage, at = stages[-1]
            closed = stage in ("Closed Won", "Closed Lost")
            self.sinks[f"opp_{stamp}"].write(
                [
                    opp_id,
                    account_id,
                    f"{person.account.canonical_name} - 導入案件",
                    stage,
                    opp.amount,
                    v.STAGE_PROBABILITY[stage],
                    jst_day(close_date),
                    str(closed).lower(),
                    str(stage == "Closed Won").lower(),
                    self._lead_source(journey),
                    opp.lost_text if stage == "Closed Lost" else None,
                    self._campaign_id(campaign) if campaign else None,
                    owner.crm_id,
                    "false",
                    utc_millis(opp.created_at),
                    utc_millis(at),
                ]
            )
        return opp_id

    def _task(
        self,
        who: str | None,
        what: str | None,
        subject: str,
        subtype: str,
        at: datetime,
        owner: User,
    ) -> None:
        self.sinks["task"].write(
            [
                self.ids.next("00T"),
                who,
                what,
                subject,
                subtype,
                "Completed",
                jst_day(at),
                owner.crm_id,
                "false",
                utc_millis(at),
            ]
        )

    # ---------------------------------------------------------------- defects
    def _defects(self) -> None:
        """One malformed record in each of a few files: no truth stands behind them."""
        self.sinks["email_event"].write_defect(
            "ev-broken,CLICK,someone@example.com,100000,https://x.example/?a=1,b=2,"
            "2025-05-01 10:00:00"
        )
        self.sinks["card_20261001"].write_defect(
            "M-broken,株式会社テスト,営業部,部長,試験 太郎,test@example.com,,2025/13/45,"
            "DX推進EXPO 2025,佐藤 太郎,2025/05/01 10:00"
        )
        self.sinks["opp_20261001"].write_defect(
            '006-broken,001,テスト案件,Proposal,"¥1,200,000",60,2026-01-31,false,false,,,,'
            "005000000000000,false,2026-01-01T00:00:00.000Z,2026-01-01T00:00:00.000Z"
        )
        self.sinks["form_submission"].write_defect(
            ",5000000,f-demo,test@example.com,https://x.example,2025-05-01 10:00:00"
        )
