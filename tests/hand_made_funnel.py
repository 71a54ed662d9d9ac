"""A hand-made funnel: one company's nine people through every stage, and the five process
metrics worked out by hand from the definitions file (1.6.0), not from the pipeline.

Written into the engine reference landing zones (tests/engine_builds.py) beside the
generated sample, in quarters the generator never writes (it starts in FY2024): the
FY2023-Q1 to Q4 rows (April 2023 to March 2024, the fiscal year starting in April) hold
these people only, so DuckDB, PostgreSQL and Spark each publish the numbers below.

The company: CRM account 001FUN000000001, Manufacturing, 500 employees, website
www.funnel-seiki.example: industry manufacturing, size band 300-999: a fit account. One
sales rep, 005FUN000000001 (department Inside Sales), owns every lead and deal. Times are
JST (UTC+9) in the marketing exports and UTC in the CRM's.

- Aiko, 部長 = director (20 points): 資料請求 (document_request, 30, an inquiry) on
  2023-07-01 10:00 JST = 01:00 UTC: 30 + 20 = 50 < 60, no MQL; ホワイトペーパー
  (content_download, 15) on 07-03 15:00 JST = 06:00 UTC: 30 + 15 + 20 = 65 >= 60 within 90
  days, fit, an inquiry before: MQL at 2023-07-03 06:00 UTC. Her lead is worked from
  07-04 03:00 (SAL; a call the same minute: 21 hours to the first follow-up, within the
  48-hour calendar SLA), converts into deal 006FUNW created 07-10 01:00 (SQL), which moves
  Prospecting -> Proposal on 07-25 (one advance) and closes won on 08-20 02:00.
- Ben, 課長 (10): お問い合わせ (demo_request: direct to sales) on 07-06 11:00 JST = 02:00
  UTC: inquiry and MQL at once. Sales sets his lead to Nurture with reason "No budget" on
  07-08 01:00 before accepting it: rejected (recycled); the first call comes 07-09 02:00,
  72 hours after the MQL: outside the SLA. He attends a webinar held on 08-10 (参加 =
  webinar_attendance, 25, at local midnight: 08-09 15:00 UTC) and requests a document on
  08-17 10:00 JST = 01:00 UTC. His cycle ended recycled, and the definitions agree
  (`resets_after_cycle_end: true`) that only touches after that end count: 25 + 10 = 35
  at the webinar, 25 + 30 + 10 = 65 at the request: back to MQL on 08-17, a second cycle,
  pending. (Counting every touch in the 90 days would have made him an MQL at the
  webinar already: 100 + 25 + 10 = 135.)
- Chika, 担当 = staff (0): 資料請求 on 07-15 10:00 JST: an inquiry, 30 points, no MQL.
- Dai, no title: お問い合わせ on 07-21 09:00 JST = 00:00 UTC: MQL; sales never touches the
  lead: pending, never followed up.
- Eri, 主任 = staff: お問い合わせ on 08-03 10:00 JST = 01:00 UTC: MQL; a call at 04:00
  (3 hours), worked from 05:00 (SAL), deal 006FUNL created 08-05 01:00 (SQL), closed lost
  on 09-10 03:00 with "予算が合わない" (予算: price). A lost deal may come back: her
  second demo request on 10-02 10:00 JST = 01:00 UTC (FY2023-Q3) starts a second cycle,
  direct to sales, 100 points (only touches after the loss count), pending.
- Fumi, 担当: お問い合わせ on 09-05 10:00 JST = 01:00 UTC: MQL; a call on 09-06 01:00
  (24 hours); sales converts her lead straight from Open - Not Contacted on 09-08 02:00
  (deal 006FUNF, still in Prospecting): converting accepts, so SAL and SQL both at 09-08
  02:00 (73 hours after the MQL), accepted, not pending.
- An outreach email (type OUTREACH_EMAIL) is sent to Aiko and Chika on 07-02: the account
  is targeted in July, and its people respond (forms) in July.

By hand, FY2023-Q2 (every event of the quarter; July alone where noted):
- MQL acceptance: 6 MQLs (Aiko, Ben twice, Dai, Eri, Fumi), 3 accepted, 1 rejected, 2
  pending, acceptance 3 / 4; July: 3 MQLs, 1 / 1 / 1, acceptance 1 / 2; August: Eri
  accepted and Ben's second pending: 1 / 1.
- Rejection reasons: No budget 1 of 1.
- Follow-up SLA: 6 MQLs, 4 followed up (21, 72, 3, 24 hours: 120 in all, mean 30, median
  (21 + 24) / 2 = 22.5), 3 within 48 hours: 3 / 6 = 0.5 (Ben's call belongs to his first
  cycle).
- Waterfall (cohort: the inquiry's quarter): 6 inquiries, 5 MQLs, 3 SALs, 3 SQLs, 1 won;
  each person once, at the first time they reached a stage: rates 5/6, 3/5, 3/3, 1/3
  and 1/6; mean days inquiry -> MQL (53 h + 0 + 0 + 0 + 0) / 5 = 53/120, MQL -> SAL
  (21 h + 4 h + 73 h) / 3 = 49/36, SAL -> SQL (142 h + 44 h + 0) / 3 = 31/12, SQL -> won
  985 h = 985/24.
- Time to opportunity (cohort: the deal's creation): 3 deals, 9, 2 and 73/24 days from
  the first touch (337/24 in all, mean 337/72, median 73/24); MQL -> SAL and SAL -> SQL
  as in the waterfall.
- Opportunity rate within 180 days of the first touch: 3 of 6 persons = 0.5; every
  window closed long before the data's as-of time (the sample's 2026): complete.
- Lost reasons: 1 lost deal, price, share 1; unclassified 0.
- Stage advances: 1 advance, no regression.
- Industry response rate, manufacturing: 1 account targeted, 1 responded: 1.0.
FY2023-Q3: 1 MQL (Eri's second), pending: no decided MQLs, none followed up.

Two leads converted into one deal, FY2023-Q1 (April-June 2023):
- Iku, 部長: お問い合わせ on 2023-04-10 10:00 JST = 01:00 UTC (inquiry and MQL, direct to
  sales); a call and Working - Contacted on 04-11 01:00 (24 hours, SAL); converted on 04-14
  01:00 into deal 006FUNJ (SQL); Proposal on 05-01 01:00 (an advance), won on 06-01 01:00.
- Jun, 課長: お問い合わせ on 04-12 10:00 JST = 01:00 UTC (MQL); a call on 04-13 01:00 (24
  hours); sales converts his lead straight from Open into Iku's deal 006FUNJ on 04-17
  01:00. A deal is one person's (the first lead converted into it: Iku's), so Jun reaches
  SAL and SQL by his lead's status at 04-17 01:00, with no deal of his own and no end.
By hand, FY2023-Q1: acceptance 2 of 2; SLA 24 + 24 = 48 hours, median 24, 2 of 2 within;
waterfall 2 / 2 / 2 / 2 / 1 (sql -> won 1/2), mean days inquiry -> MQL 0, MQL -> SAL
(24 h + 120 h) / 2 = 3, SAL -> SQL (72 h + 0) / 2 = 1.5, SQL -> won 04-14 -> 06-01 = 17 +
31 = 48; time to opportunity 2 SQLs (cohort: the SQL): 4 and 5 days from the first touch
(9 in all, mean = median = 4.5), MQL -> SAL 3, SAL -> SQL 1.5; opportunity rate 2 of 2;
stage moves: Proposal (advance) and Closed Won: 2 changes, 1 advance, 1 deal moved.

Deals created on contacts, FY2023-Q4 (January-March 2024; the CRM export's ContactId):
- Gen, 部長 (20): sales has known him as contact 003FUN000000007 since 2023-06-15 (no
  lead). 資料請求 on 2024-01-10 10:00 JST = 01:00 UTC (his first touch and inquiry: 30 +
  20 = 50), ホワイトペーパー on 01-12 10:00 JST = 01:00 UTC: 65, MQL. Sales creates deal
  006FUNG on his contact on 01-15 01:00 UTC without a lead: SQL then, and accepted then
  (SAL = SQL, evidence the deal); Proposal on 02-01, won on 03-01 01:00. No activity on a
  lead: not followed up (the SLA counts activities on leads).
- Aiko, won in August, gets an expansion deal 006FUNX on her contact on 2024-02-05 01:00,
  Proposal on 03-10: no new MQL, so no new SQL; her cycle keeps 006FUNW.
By hand, FY2023-Q4: acceptance 1 MQL, 1 accepted: 1.0; SLA 1 MQL, 0 followed up: 0.0;
waterfall 1 / 1 / 1 / 1 / 1, every rate 1, mean days inquiry -> MQL 48 h = 2, MQL -> SAL
72 h = 3, SAL -> SQL 0, SQL -> won 01-15 -> 03-01 = 17 days to 02-01 + 29 (2024 is a
leap year) = 46; time to opportunity 1 deal, 5 days from the first touch (mean = median = 5);
opportunity rate 1 of 1; stage moves: Gen's Proposal (advance) and Closed Won (neither),
Aiko's Proposal (advance): 3 changes, 2 advances, 0 regressions, 2 deals moved, all in
the manufacturing slice (reached only through the contacts' persons).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.hand_made_landing import write_export

DOMAIN = "funnel-seiki.example"
ACCOUNT, OWNER, ROLE = "001FUN000000001", "005FUN000000001", "00EFUN000000001"
QUARTER, JULY = "FY2023-Q2", "2023-07"
BEN = hashlib.md5(f"ben.ito@{DOMAIN}".encode()).hexdigest()  # dbt.hash: md5 hex
FUMI = hashlib.md5(f"fumi.sato@{DOMAIN}".encode()).hexdigest()
ERI = hashlib.md5(f"eri.abe@{DOMAIN}".encode()).hexdigest()
AIKO = hashlib.md5(f"aiko.kato@{DOMAIN}".encode()).hexdigest()
GEN = hashlib.md5(f"gen.kimura@{DOMAIN}".encode()).hexdigest()
Q4, Q1 = "FY2023-Q4", "FY2023-Q1"
IKU = hashlib.md5(f"iku.inoue@{DOMAIN}".encode()).hexdigest()
JUN = hashlib.md5(f"jun.ueda@{DOMAIN}".encode()).hexdigest()
JUN_CONVERTED = datetime(2023, 4, 17, 1, 0)
GEN_DEAL_CREATED = datetime(2024, 1, 15, 1, 0)
FUMI_CONVERTED = datetime(2023, 9, 8, 2, 0)
# (HubSpot record, email's local part, first name, last name, title, CRM lead)
PEOPLE = [
    ("301", "aiko.kato", "愛子", "加藤", "部長", "00QFUN000000001"),
    ("302", "ben.ito", "勉", "伊藤", "課長", "00QFUN000000002"),
    ("303", "chika.mori", "千佳", "森", "担当", ""),
    ("304", "dai.ono", "大", "小野", "", "00QFUN000000004"),
    ("305", "eri.abe", "恵理", "阿部", "主任", "00QFUN000000005"),
    ("306", "fumi.sato", "文", "佐藤", "担当", "00QFUN000000006"),
    ("307", "gen.kimura", "源", "木村", "部長", ""),
    ("308", "iku.inoue", "郁", "井上", "部長", "00QFUN000000009"),
    ("309", "jun.ueda", "純", "上田", "課長", "00QFUN000000010"),
]
# (conversion, HubSpot record, form, submitted at JST)
SUBMISSIONS = [
    ("cv-fun-1", "301", "f-fun-doc", "2023-07-01 10:00:00"),
    ("cv-fun-2", "301", "f-fun-wp", "2023-07-03 15:00:00"),
    ("cv-fun-3", "302", "f-fun-demo", "2023-07-06 11:00:00"),
    ("cv-fun-4", "303", "f-fun-doc", "2023-07-15 10:00:00"),
    ("cv-fun-5", "304", "f-fun-demo", "2023-07-21 09:00:00"),
    ("cv-fun-6", "305", "f-fun-demo", "2023-08-03 10:00:00"),
    ("cv-fun-7", "302", "f-fun-doc", "2023-08-17 10:00:00"),
    ("cv-fun-8", "306", "f-fun-demo", "2023-09-05 10:00:00"),
    ("cv-fun-9", "305", "f-fun-demo", "2023-10-02 10:00:00"),
    ("cv-fun-10", "307", "f-fun-doc", "2024-01-10 10:00:00"),
    ("cv-fun-11", "307", "f-fun-wp", "2024-01-12 10:00:00"),
    ("cv-fun-12", "308", "f-fun-demo", "2023-04-10 10:00:00"),
    ("cv-fun-13", "309", "f-fun-demo", "2023-04-12 10:00:00"),
]


def _crm_time(value: str) -> str:
    return f"{value}.000Z"


def _marketing(landing: Path) -> None:
    write_export(
        landing,
        "raw_hubspot.form",
        "forms_hand_made_funnel.csv",
        [
            {
                "Form ID": "f-fun-doc",
                "Form Name": "資料請求（製品カタログ）",
                "Form Type": "HUBSPOT",
            },
            {
                "Form ID": "f-fun-wp",
                "Form Name": "ホワイトペーパー「DX白書」",
                "Form Type": "HUBSPOT",
            },
            {
                "Form ID": "f-fun-demo",
                "Form Name": "お問い合わせ（デモ依頼）",
                "Form Type": "HUBSPOT",
            },
        ],
    )
    write_export(
        landing,
        "raw_hubspot.contact",
        "contacts_hand_made_funnel.csv",
        [
            {
                "Record ID": record,
                "Email": f"{local}@{DOMAIN}",
                "First Name": first,
                "Last Name": last,
                "Company Name": "ファネル精機",
                "Job Title": title,
                "Industry": "製造業",
                "Lifecycle Stage": "lead",
                "Create Date": "2023-07-01 10:00:00",
                "Last Modified Date": "2023-07-01 10:00:00",
            }
            for record, local, first, last, title, _ in PEOPLE
        ],
    )
    emails = {record: f"{local}@{DOMAIN}" for record, local, *_ in PEOPLE}
    write_export(
        landing,
        "raw_hubspot.contact_form_submission",
        "form_submissions_hand_made_funnel.csv",
        [
            {
                "Conversion ID": conversion,
                "Contact ID": record,
                "Form ID": form,
                "Email": emails[record],
                "Submitted At": at,
            }
            for conversion, record, form, at in SUBMISSIONS
        ],
    )
    write_export(
        landing,
        "raw_events.event_attendee",
        "attendees_hand_made_funnel.csv",
        [
            {
                "申込ID": "W-FUN-1",
                "イベント名": "ウェビナー「工場DX」",
                "イベント種別": "ウェビナー",
                "開催日": "2023/08/10",
                "会社名": "株式会社ファネル精機",
                "氏名": "伊藤 勉",
                "メールアドレス": emails["302"],
                "参加ステータス": "参加",
                "登録日時": "2023/08/01 10:00",
            }
        ],
    )
    write_export(
        landing,
        "raw_hubspot.email_campaign",
        "email_campaigns_hand_made_funnel.csv",
        [
            {
                "Email ID": "em-fun-1",
                "Email Name": "ターゲット 製造業 2023-07",
                "Subject": "工場のDX",
                "Email Type": "OUTREACH_EMAIL",
                "Created At": "2023-06-30 09:00:00",
            }
        ],
    )
    write_export(
        landing,
        "raw_hubspot.email_event",
        "email_events_hand_made_funnel.csv",
        [
            {
                "Event ID": f"ev-fun-{record}",
                "Event Type": "SENT",
                "Recipient": emails[record],
                "Email ID": "em-fun-1",
                "Event Time": "2023-07-02 09:00:00",
            }
            for record in ("301", "303")
        ],
    )


def _sales_people_and_account(landing: Path) -> None:
    write_export(
        landing,
        "raw_salesforce.user_role",
        "UserRole_hand_made_funnel.csv",
        [{"Id": ROLE, "Name": "Inside Sales", "ParentRoleId": ""}],
    )
    write_export(
        landing,
        "raw_salesforce.user",
        "User_hand_made_funnel.csv",
        [
            {
                "Id": OWNER,
                "Name": "Funnel Rep",
                "Email": f"rep@{DOMAIN}",
                "Department": "Inside Sales",
                "UserRoleId": ROLE,
                "IsActive": "true",
                "CreatedDate": _crm_time("2023-01-01T00:00:00"),
            }
        ],
    )
    write_export(
        landing,
        "raw_salesforce.account",
        "Account_hand_made_funnel.csv",
        [
            {
                "Id": ACCOUNT,
                "Name": "株式会社ファネル精機",
                "Industry": "Manufacturing",
                "NumberOfEmployees": "500",
                "Website": f"https://www.{DOMAIN}",
                "OwnerId": OWNER,
                "IsDeleted": "false",
                "CreatedDate": _crm_time("2023-06-01T00:00:00"),
                "LastModifiedDate": _crm_time("2023-06-01T00:00:00"),
            }
        ],
    )


# (contact, email's local part, first name, last name, title, lead source, created UTC):
# the converted leads' contacts, and Gen, whom sales knew before marketing did
CONTACTS = [
    ("003FUN000000001", "aiko.kato", "愛子", "加藤", "部長", "Web", "2023-07-10T01:00:00"),
    ("003FUN000000005", "eri.abe", "恵理", "阿部", "主任", "Web", "2023-08-05T01:00:00"),
    ("003FUN000000006", "fumi.sato", "文", "佐藤", "担当", "Web", "2023-09-08T02:00:00"),
    ("003FUN000000007", "gen.kimura", "源", "木村", "部長", "Other", "2023-06-15T00:00:00"),
    ("003FUN000000009", "iku.inoue", "郁", "井上", "部長", "Web", "2023-04-14T01:00:00"),
    ("003FUN000000010", "jun.ueda", "純", "上田", "課長", "Web", "2023-04-17T01:00:00"),
]
# (lead, status now, rejection reason, created, converted on, deal)
LEADS = [
    ("00QFUN000000001", "Closed - Converted", "", "2023-07-03T06:30:00", "2023-07-10", "006FUNW"),
    ("00QFUN000000002", "Nurture", "No budget", "2023-07-06T02:30:00", "", ""),
    ("00QFUN000000004", "Open - Not Contacted", "", "2023-07-21T00:30:00", "", ""),
    ("00QFUN000000005", "Closed - Converted", "", "2023-08-03T01:30:00", "2023-08-05", "006FUNL"),
    ("00QFUN000000006", "Closed - Converted", "", "2023-09-05T01:30:00", "2023-09-08", "006FUNF"),
    ("00QFUN000000009", "Closed - Converted", "", "2023-04-10T01:30:00", "2023-04-14", "006FUNJ"),
    ("00QFUN000000010", "Closed - Converted", "", "2023-04-12T01:30:00", "2023-04-17", "006FUNJ"),
]
# (history id, lead, field, old value, new value, at UTC)
LEAD_HISTORY = [
    ("017FUN1", "00QFUN000000001", "Status", "Open - Not Contacted", "Working - Contacted",
     "2023-07-04T03:00:00"),
    ("017FUN2", "00QFUN000000001", "Status", "Working - Contacted", "Closed - Converted",
     "2023-07-10T01:00:00"),
    ("017FUN3", "00QFUN000000002", "Status", "Open - Not Contacted", "Nurture",
     "2023-07-08T01:00:00"),
    ("017FUN4", "00QFUN000000002", "Rejection_Reason__c", "", "No budget",
     "2023-07-08T01:00:00"),
    ("017FUN5", "00QFUN000000005", "Status", "Open - Not Contacted", "Working - Contacted",
     "2023-08-03T05:00:00"),
    ("017FUN6", "00QFUN000000005", "Status", "Working - Contacted", "Closed - Converted",
     "2023-08-05T01:00:00"),
    ("017FUN7", "00QFUN000000006", "Status", "Open - Not Contacted", "Closed - Converted",
     "2023-09-08T02:00:00"),
    ("017FUN8", "00QFUN000000009", "Status", "Open - Not Contacted", "Working - Contacted",
     "2023-04-11T01:00:00"),
    ("017FUN9", "00QFUN000000009", "Status", "Working - Contacted", "Closed - Converted",
     "2023-04-14T01:00:00"),
    ("017FUN10", "00QFUN000000010", "Status", "Open - Not Contacted", "Closed - Converted",
     "2023-04-17T01:00:00"),
]  # fmt: skip
# (task, lead, at UTC): the first follow-ups
CALLS = [
    ("00TFUN1", "00QFUN000000001", "2023-07-04T03:00:00"),
    ("00TFUN2", "00QFUN000000002", "2023-07-09T02:00:00"),
    ("00TFUN3", "00QFUN000000005", "2023-08-03T04:00:00"),
    ("00TFUN4", "00QFUN000000006", "2023-09-06T01:00:00"),
    ("00TFUN5", "00QFUN000000009", "2023-04-11T01:00:00"),
    ("00TFUN6", "00QFUN000000010", "2023-04-13T01:00:00"),
]
# (deal, stage now, won, lost reason, created, last modified, close date, stage history,
# primary contact): a converted lead's deal has its contact too (the lead still decides);
# 006FUNG and 006FUNX were created on contacts, from no lead
DEALS = [
    ("006FUNW", "Closed Won", "true", "", "2023-07-10T01:00:00", "2023-08-20T02:00:00",
     "2023-08-20", [("Prospecting", "2023-07-10T01:00:00"), ("Proposal", "2023-07-25T01:00:00"),
                    ("Closed Won", "2023-08-20T02:00:00")], "003FUN000000001"),
    ("006FUNL", "Closed Lost", "false", "予算が合わない", "2023-08-05T01:00:00",
     "2023-09-10T03:00:00", "2023-09-10",
     [("Prospecting", "2023-08-05T01:00:00"), ("Closed Lost", "2023-09-10T03:00:00")],
     "003FUN000000005"),
    ("006FUNF", "Prospecting", "false", "", "2023-09-08T02:00:00", "2023-09-08T02:00:00",
     "2023-12-20", [("Prospecting", "2023-09-08T02:00:00")], "003FUN000000006"),
    ("006FUNG", "Closed Won", "true", "", "2024-01-15T01:00:00", "2024-03-01T01:00:00",
     "2024-03-01", [("Prospecting", "2024-01-15T01:00:00"), ("Proposal", "2024-02-01T01:00:00"),
                    ("Closed Won", "2024-03-01T01:00:00")], "003FUN000000007"),
    ("006FUNX", "Proposal", "false", "", "2024-02-05T01:00:00", "2024-03-10T01:00:00",
     "2024-06-30", [("Prospecting", "2024-02-05T01:00:00"), ("Proposal", "2024-03-10T01:00:00")],
     "003FUN000000001"),
    ("006FUNJ", "Closed Won", "true", "", "2023-04-14T01:00:00", "2023-06-01T01:00:00",
     "2023-06-01", [("Prospecting", "2023-04-14T01:00:00"), ("Proposal", "2023-05-01T01:00:00"),
                    ("Closed Won", "2023-06-01T01:00:00")], "003FUN000000009"),
]  # fmt: skip


def _leads(landing: Path) -> None:
    by_lead = {lead: (local, first, last, title) for _, local, first, last, title, lead in PEOPLE}
    write_export(
        landing,
        "raw_salesforce.lead",
        "Lead_hand_made_funnel.csv",
        [
            {
                "Id": lead,
                "FirstName": by_lead[lead][1],
                "LastName": by_lead[lead][2],
                "Email": f"{by_lead[lead][0]}@{DOMAIN}",
                "Company": "ファネル精機",
                "Title": by_lead[lead][3],
                "Industry": "Manufacturing",
                "NumberOfEmployees": "500",
                "LeadSource": "Web",
                "Status": status,
                "Rejection_Reason__c": reason,
                "OwnerId": OWNER,
                "IsConverted": "true" if deal else "false",
                "ConvertedDate": converted,
                "ConvertedAccountId": ACCOUNT if deal else "",
                "ConvertedContactId": f"003{lead[3:]}" if deal else "",
                "ConvertedOpportunityId": deal,
                "IsDeleted": "false",
                "CreatedDate": _crm_time(created),
                "LastModifiedDate": _crm_time(created),
            }
            for lead, status, reason, created, converted, deal in LEADS
        ],
    )
    write_export(
        landing,
        "raw_salesforce.lead_history",
        "LeadHistory_hand_made_funnel.csv",
        [
            {
                "Id": history,
                "LeadId": lead,
                "Field": field,
                "OldValue": old,
                "NewValue": new,
                "CreatedById": OWNER,
                "CreatedDate": _crm_time(at),
            }
            for history, lead, field, old, new, at in LEAD_HISTORY
        ],
    )
    write_export(
        landing,
        "raw_salesforce.task",
        "Task_hand_made_funnel.csv",
        [
            {
                "Id": task,
                "WhoId": lead,
                "Subject": "電話",
                "TaskSubtype": "Call",
                "Status": "Completed",
                "ActivityDate": at[:10],
                "OwnerId": OWNER,
                "IsDeleted": "false",
                "CreatedDate": _crm_time(at),
            }
            for task, lead, at in CALLS
        ],
    )


def _deals(landing: Path) -> None:
    write_export(
        landing,
        "raw_salesforce.opportunity",
        "Opportunity_hand_made_funnel.csv",
        [
            {
                "Id": deal,
                "AccountId": ACCOUNT,
                "Name": f"ファネル精機 {deal}",
                "StageName": stage,
                "Amount": "3000000",
                "Probability": {"Closed Won": "100", "Closed Lost": "0"}.get(stage, "10"),
                "CloseDate": close_date,
                "IsClosed": "true" if stage.startswith("Closed") else "false",
                "IsWon": won,
                "LeadSource": "Web",
                "Lost_Reason__c": reason,
                "ContactId": contact,
                "OwnerId": OWNER,
                "IsDeleted": "false",
                "CreatedDate": _crm_time(created),
                "LastModifiedDate": _crm_time(modified),
            }
            for deal, stage, won, reason, created, modified, close_date, _, contact in DEALS
        ],
    )
    write_export(
        landing,
        "raw_salesforce.opportunity_history",
        "OpportunityHistory_hand_made_funnel.csv",
        [
            {
                "Id": f"008{deal[3:]}{number}",
                "OpportunityId": deal,
                "StageName": stage,
                "Amount": "3000000",
                "CloseDate": close_date,
                "CreatedById": OWNER,
                "IsDeleted": "false",
                "CreatedDate": _crm_time(at),
            }
            for deal, *_, close_date, history, _ in DEALS
            for number, (stage, at) in enumerate(history, start=1)
        ],
    )


def _contacts(landing: Path) -> None:
    write_export(
        landing,
        "raw_salesforce.contact",
        "Contact_hand_made_funnel.csv",
        [
            {
                "Id": contact,
                "AccountId": ACCOUNT,
                "FirstName": first,
                "LastName": last,
                "Email": f"{local}@{DOMAIN}",
                "Title": title,
                "LeadSource": source,
                "OwnerId": OWNER,
                "IsDeleted": "false",
                "CreatedDate": _crm_time(created),
                "LastModifiedDate": _crm_time(created),
            }
            for contact, local, first, last, title, source, created in CONTACTS
        ],
    )


def land_funnel(landing: Path) -> None:
    """The company's exports, each in a file of its own beside whatever else landed."""
    _marketing(landing)
    _sales_people_and_account(landing)
    _leads(landing)
    _contacts(landing)
    _deals(landing)


TOTAL = {"grain": "quarter", "period_label": QUARTER, "is_total": True}
# (metric table, which row, the hand-computed values)
EXPECTED: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("metric_mql_acceptance", TOTAL,
     {"mqls": 6, "accepted_mqls": 3, "rejected_mqls": 1, "pending_mqls": 2,
      "decided_mqls": 4, "acceptance_rate": 3 / 4}),
    ("metric_mql_acceptance", {**TOTAL, "grain": "month", "period_label": "2023-08"},
     {"mqls": 2, "accepted_mqls": 1, "rejected_mqls": 0, "pending_mqls": 1,
      "acceptance_rate": 1.0}),
    ("metric_mql_acceptance", {**TOTAL, "grain": "month", "period_label": JULY},
     {"mqls": 3, "accepted_mqls": 1, "rejected_mqls": 1, "pending_mqls": 1,
      "acceptance_rate": 1 / 2}),
    ("metric_mql_rejection_reasons", {**TOTAL, "rejection_reason": "No budget"},
     {"rejected_mqls": 1, "period_rejected_mqls": 1, "share_of_rejections": 1.0}),
    ("metric_followup_sla", TOTAL,
     {"mqls": 6, "followed_up": 4, "followed_up_within_sla": 3,
      "total_hours_to_first_followup": 120.0, "mean_hours_to_first_followup": 30.0,
      "median_hours_to_first_followup": 22.5, "within_sla_rate": 0.5}),
    ("metric_funnel_waterfall", TOTAL,
     {"inquiries": 6, "mqls": 5, "sals": 3, "sqls": 3, "wins": 1,
      "inquiry_to_mql_rate": 5 / 6, "mql_to_sal_rate": 3 / 5, "sal_to_sql_rate": 3 / 3,
      "sql_to_won_rate": 1 / 3, "inquiry_to_won_rate": 1 / 6,
      "mean_days_inquiry_to_mql": 53 / 120, "mean_days_mql_to_sal": 49 / 36,
      "mean_days_sal_to_sql": 31 / 12, "mean_days_sql_to_won": 985 / 24}),
    ("metric_time_to_opportunity", TOTAL,
     {"opportunities": 3, "total_days_first_touch_to_sql": 337 / 24,
      "mean_days_first_touch_to_sql": 337 / 72, "median_days_first_touch_to_sql": 73 / 24,
      "mean_days_mql_to_sal": 49 / 36, "mean_days_sal_to_sql": 31 / 12}),
    ("metric_opportunity_rate_after_first_touch", TOTAL,
     {"persons": 6, "became_opportunity": 3, "maturing_persons": 0,
      "is_window_complete": True, "opportunity_rate": 0.5}),
    ("metric_lost_reasons", {**TOTAL, "lost_reason_category": "price"},
     {"lost_deals": 1, "period_lost_deals": 1, "share_of_lost": 1.0}),
    ("metric_lost_reasons", {**TOTAL, "lost_reason_category": "unclassified"},
     {"lost_deals": 0, "period_lost_deals": 1, "share_of_lost": 0.0}),
    ("metric_opportunity_stage_advances", TOTAL,
     {"stage_advances": 1, "stage_regressions": 0}),
    ("fct_lead_lifecycle", {"person_id": BEN, "cycle_number": 1},
     {"mql_path": "direct_to_sales", "mql_at": datetime(2023, 7, 6, 2, 0),
      "acceptance_status": "rejected", "rejection_reason": "No budget",
      "end_stage": "recycled", "hours_to_first_followup": 72.0,
      "is_followed_up_within_sla": False}),
    ("fct_lead_lifecycle", {"person_id": BEN, "cycle_number": 2},
     {"mql_path": "marketing", "mql_at": datetime(2023, 8, 17, 1, 0), "mql_points": 65,
      "acceptance_status": "pending", "end_stage": None, "hours_to_first_followup": None}),
    ("fct_lead_lifecycle", {"person_id": FUMI, "cycle_number": 1},
     {"acceptance_status": "accepted", "sal_at": FUMI_CONVERTED, "sql_at": FUMI_CONVERTED,
      "rejected_at": None, "end_stage": None, "hours_to_first_followup": 24.0}),
    # her SAL's evidence: the conversion (lead history before the opportunity, by name)
    ("fct_stage_transitions", {"person_id": FUMI, "stage_code": "sal"},
     {"cycle_number": 1, "entered_at": FUMI_CONVERTED, "evidence_system": "crm_lead_history",
      "evidence_record_id": "017FUN7"}),
    ("fct_lead_lifecycle", {"person_id": ERI, "cycle_number": 2},
     {"mql_path": "direct_to_sales", "mql_at": datetime(2023, 10, 2, 1, 0), "mql_points": 100,
      "acceptance_status": "pending", "sal_at": None, "end_stage": None}),
    ("metric_mql_acceptance", {**TOTAL, "period_label": "FY2023-Q3"},
     {"mqls": 1, "accepted_mqls": 0, "rejected_mqls": 0, "pending_mqls": 1, "decided_mqls": 0,
      "acceptance_rate": None, "acceptance_rate_null_reason": "no decided MQLs"}),
    ("metric_followup_sla", {**TOTAL, "period_label": "FY2023-Q3"},
     {"mqls": 1, "followed_up": 0, "followed_up_within_sla": 0, "within_sla_rate": 0.0}),
    ("metric_industry_response_rate", {**TOTAL, "industry_code": "manufacturing"},
     {"targeted_accounts": 1, "responded_accounts": 1, "response_rate": 1.0}),
    # FY2023-Q4: deals created on contacts (Gen's, Aiko's expansion)
    ("metric_mql_acceptance", {**TOTAL, "period_label": Q4},
     {"mqls": 1, "accepted_mqls": 1, "rejected_mqls": 0, "pending_mqls": 0, "decided_mqls": 1,
      "acceptance_rate": 1.0}),
    ("metric_followup_sla", {**TOTAL, "period_label": Q4},
     {"mqls": 1, "followed_up": 0, "followed_up_within_sla": 0, "within_sla_rate": 0.0}),
    ("metric_funnel_waterfall", {**TOTAL, "period_label": Q4},
     {"inquiries": 1, "mqls": 1, "sals": 1, "sqls": 1, "wins": 1, "inquiry_to_mql_rate": 1.0,
      "mql_to_sal_rate": 1.0, "sal_to_sql_rate": 1.0, "sql_to_won_rate": 1.0,
      "mean_days_inquiry_to_mql": 2.0, "mean_days_mql_to_sal": 3.0,
      "mean_days_sal_to_sql": 0.0, "mean_days_sql_to_won": 46.0}),
    ("metric_time_to_opportunity", {**TOTAL, "period_label": Q4},
     {"opportunities": 1, "total_days_first_touch_to_sql": 5.0,
      "median_days_first_touch_to_sql": 5.0, "mean_days_mql_to_sal": 3.0,
      "mean_days_sal_to_sql": 0.0}),
    ("metric_opportunity_rate_after_first_touch", {**TOTAL, "period_label": Q4},
     {"persons": 1, "became_opportunity": 1, "is_window_complete": True,
      "opportunity_rate": 1.0}),
    ("metric_opportunity_stage_advances", {**TOTAL, "period_label": Q4},
     {"stage_changes": 3, "stage_advances": 2, "stage_regressions": 0,
      "opportunities_moved": 2}),
    # both deals reach the account's industry only through their contacts' persons
    ("metric_opportunity_stage_advances",
     {**TOTAL, "period_label": Q4, "is_total": False, "industry_code": "manufacturing"},
     {"stage_changes": 3, "stage_advances": 2, "opportunities_moved": 2}),
    ("fct_opportunities", {"opportunity_id": "006FUNG"},
     {"person_id": GEN, "lead_id": None, "contact_id": "003FUN000000007",
      "person_linked_by": "primary_contact", "outcome": "won"}),
    ("fct_opportunities", {"opportunity_id": "006FUNX"},
     {"person_id": AIKO, "lead_id": None, "person_linked_by": "primary_contact"}),
    ("fct_opportunities", {"opportunity_id": "006FUNW"},
     {"person_id": AIKO, "lead_id": "00QFUN000000001", "person_linked_by": "converted_lead"}),
    ("fct_lead_lifecycle", {"person_id": GEN, "cycle_number": 1},
     {"mql_at": datetime(2024, 1, 12, 1, 0), "mql_points": 65, "lead_id": None,
      "acceptance_status": "accepted", "sal_at": GEN_DEAL_CREATED, "sql_at": GEN_DEAL_CREATED,
      "opportunity_id": "006FUNG", "end_stage": "won", "end_at": datetime(2024, 3, 1, 1, 0),
      "hours_to_first_followup": None}),
    # her expansion (a later deal on the same person, no new MQL) leaves her cycle alone
    ("fct_lead_lifecycle", {"person_id": AIKO, "cycle_number": 1},
     {"opportunity_id": "006FUNW", "sql_at": datetime(2023, 7, 10, 1, 0), "end_stage": "won",
      "end_at": datetime(2023, 8, 20, 2, 0)}),
    ("fct_stage_transitions", {"person_id": GEN, "stage_code": "sal"},
     {"cycle_number": 1, "entered_at": GEN_DEAL_CREATED, "evidence_system": "crm_opportunity",
      "evidence_record_id": "006FUNG"}),
    # FY2023-Q1: two leads converted into one deal (Iku's, Jun's joins it)
    ("metric_mql_acceptance", {**TOTAL, "period_label": Q1},
     {"mqls": 2, "accepted_mqls": 2, "rejected_mqls": 0, "pending_mqls": 0, "decided_mqls": 2,
      "acceptance_rate": 1.0}),
    ("metric_followup_sla", {**TOTAL, "period_label": Q1},
     {"mqls": 2, "followed_up": 2, "followed_up_within_sla": 2,
      "total_hours_to_first_followup": 48.0, "median_hours_to_first_followup": 24.0,
      "within_sla_rate": 1.0}),
    ("metric_funnel_waterfall", {**TOTAL, "period_label": Q1},
     {"inquiries": 2, "mqls": 2, "sals": 2, "sqls": 2, "wins": 1, "sql_to_won_rate": 0.5,
      "inquiry_to_won_rate": 0.5, "mean_days_inquiry_to_mql": 0.0, "mean_days_mql_to_sal": 3.0,
      "mean_days_sal_to_sql": 1.5, "mean_days_sql_to_won": 48.0}),
    ("metric_time_to_opportunity", {**TOTAL, "period_label": Q1},
     {"opportunities": 2, "total_days_first_touch_to_sql": 9.0,
      "mean_days_first_touch_to_sql": 4.5, "median_days_first_touch_to_sql": 4.5,
      "mean_days_mql_to_sal": 3.0, "mean_days_sal_to_sql": 1.5}),
    ("metric_opportunity_rate_after_first_touch", {**TOTAL, "period_label": Q1},
     {"persons": 2, "became_opportunity": 2, "opportunity_rate": 1.0}),
    ("metric_opportunity_stage_advances", {**TOTAL, "period_label": Q1},
     {"stage_changes": 2, "stage_advances": 1, "stage_regressions": 0,
      "opportunities_moved": 1}),
    ("fct_opportunities", {"opportunity_id": "006FUNJ"},
     {"person_id": IKU, "lead_id": "00QFUN000000009", "person_linked_by": "converted_lead"}),
    ("fct_lead_lifecycle", {"person_id": IKU, "cycle_number": 1},
     {"opportunity_id": "006FUNJ", "sql_at": datetime(2023, 4, 14, 1, 0), "end_stage": "won"}),
    ("fct_lead_lifecycle", {"person_id": JUN, "cycle_number": 1},
     {"lead_id": "00QFUN000000010", "acceptance_status": "accepted", "sal_at": JUN_CONVERTED,
      "sql_at": JUN_CONVERTED, "opportunity_id": None, "end_stage": None}),
]  # fmt: skip


def _same(found: Any, expected: Any) -> bool:
    if isinstance(expected, float) and not isinstance(found, bool) and found is not None:
        return abs(float(found) - expected) <= 1e-9 * max(1.0, abs(expected))
    return found == expected


def funnel_differences(tables: dict[str, Any]) -> list[str]:
    """What the published tables of any engine (tests/engine_equality Tables) get wrong
    about the hand-made funnel against the values computed by hand."""
    problems = []
    for name, key, expected in EXPECTED:
        table = tables[name]
        at = {c: table.columns.index(c) for c in (*key, *expected)}
        rows = [r for r in table.rows if all(r[at[c]] == v for c, v in key.items())]
        if len(rows) != 1:
            problems.append(f"{name} {key}: {len(rows)} rows, not 1")
            continue
        found = {c: rows[0][at[c]] for c in expected}
        if not all(_same(found[c], v) for c, v in expected.items()):
            problems.append(f"{name} {key}: {found} != {expected}")
    return problems
