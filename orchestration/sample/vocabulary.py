"""Names, labels and free texts the generator draws from (data, not logic)."""

from __future__ import annotations

SURNAMES = [
    ("佐藤", "sato"),
    ("鈴木", "suzuki"),
    ("髙橋", "takahashi"),
    ("田中", "tanaka"),
    ("伊藤", "ito"),
    ("渡辺", "watanabe"),
    ("山本", "yamamoto"),
    ("中村", "nakamura"),
    ("小林", "kobayashi"),
    ("加藤", "kato"),
    ("吉田", "yoshida"),
    ("山田", "yamada"),
    ("佐々木", "sasaki"),
    ("山口", "yamaguchi"),
    ("松本", "matsumoto"),
    ("井上", "inoue"),
    ("木村", "kimura"),
    ("林", "hayashi"),
    ("斎藤", "saito"),
    ("清水", "shimizu"),
    ("﨑山", "sakiyama"),
    ("森", "mori"),
    ("池田", "ikeda"),
    ("橋本", "hashimoto"),
]
GIVEN_NAMES = [
    ("太郎", "taro"),
    ("花子", "hanako"),
    ("健", "ken"),
    ("美咲", "misaki"),
    ("翔", "sho"),
    ("陽子", "yoko"),
    ("大輔", "daisuke"),
    ("直子", "naoko"),
    ("誠", "makoto"),
    ("由美", "yumi"),
    ("拓也", "takuya"),
    ("恵", "megumi"),
    ("蓮", "ren"),
    ("葵", "aoi"),
]
COMPANY_STEMS = [
    ("さくら", "sakura"),
    ("富士", "fuji"),
    ("青葉", "aoba"),
    ("東洋", "toyo"),
    ("大和", "yamato"),
    ("北斗", "hokuto"),
    ("光陽", "koyo"),
    ("瑞穂", "mizuho"),
    ("旭", "asahi"),
    ("若葉", "wakaba"),
    ("朝日", "asahi"),
    ("平和", "heiwa"),
    ("日進", "nisshin"),
    ("昭栄", "shoei"),
    ("千代田", "chiyoda"),
    ("髙島", "takashima"),
]
ENGLISH_STEMS = ["Nexus", "Bluepeak", "Orbital", "Kite", "Lumen", "Vertex", "Harbor", "Zenith"]
# industry code -> (Salesforce picklist value, Japanese label, company-name suffix)
INDUSTRIES = {
    "manufacturing": ("Manufacturing", "製造業", ("工業", "製作所")),
    "it_software": ("Technology", "情報通信業", ("システムズ", "ソフト")),
    "finance": ("Finance", "金融業", ("信販", "ファイナンス")),
    "retail": ("Retail", "小売業", ("商事", "ストア")),
    "logistics": ("Transportation", "運輸業", ("物流", "運輸")),
    "healthcare": ("Healthcare", "医療・福祉", ("メディカル", "ヘルスケア")),
    "construction": ("Construction", "建設業", ("建設", "工務店")),
    "education": ("Education", "教育", ("学園", "教育")),
}
INDUSTRY_WEIGHTS = [22, 20, 10, 12, 10, 8, 10, 8]
# size band -> (employee range, Japanese label as target lists print it)
SIZE_BANDS = {
    "1-49": ((5, 49), "1〜49名"),
    "50-299": ((50, 299), "50〜299名"),
    "300-999": ((300, 999), "300〜999名"),
    "1000+": ((1000, 20000), "1000名以上"),
}
SIZE_WEIGHTS = [25, 35, 25, 15]
PREFECTURES = ["東京都", "大阪府", "愛知県", "神奈川県", "福岡県", "北海道"]
# (title, seniority)
TITLES = [
    ("担当", "staff"),
    ("主任", "staff"),
    ("Engineer", "staff"),
    ("課長", "manager"),
    ("Manager", "manager"),
    ("マネージャー", "manager"),
    ("部長", "director"),
    ("Director", "director"),
    ("本部長", "director"),
    ("取締役", "executive"),
    ("CIO", "executive"),
]
TITLE_WEIGHTS = [22, 12, 8, 14, 6, 6, 12, 4, 6, 6, 4]
HEAD_TITLES = [("部長", "director"), ("本部長", "director"), ("取締役", "executive")]
DEPARTMENTS = ["情報システム部", "営業部", "マーケティング部", "経営企画部", "製造部", "総務部"]

SALES_TEAMS = ["Enterprise Sales", "Mid-Market Sales", "Inside Sales"]
MARKETING_TEAM = "Marketing Ops"

STAGES = ["Prospecting", "Qualification", "Needs Analysis", "Proposal", "Negotiation"]
STAGE_PROBABILITY = {
    "Prospecting": 10,
    "Qualification": 20,
    "Needs Analysis": 40,
    "Proposal": 60,
    "Negotiation": 80,
    "Closed Won": 100,
    "Closed Lost": 0,
}

# canonical lost-reason category -> messy free texts sales reps actually type
LOST_REASON_TEXTS = {
    "price": [
        "Too expensive",
        "to expensive",
        "price too high",
        "予算不足",
        "価格が高い",
        "予算がない",
        "bugdet cut",
        "Budget cut for this FY",
        "コストが合わない",
    ],
    "competitor": [
        "Lost to competitor",
        "went with competiter",
        "競合に決定",
        "他社製品を採用",
        "競合他社の方が安かった",
        "chose another vendor",
    ],
    "timing": [
        "Timing - revisit next year",
        "postponed",
        "時期尚早",
        "来期に延期",
        "not now",
        "プロジェクト延期",
    ],
    "no_decision": [
        "No decision",
        "status quo",
        "検討中止",
        "社内稟議が通らず",
        "went dark after demo",
    ],
    "product_fit": [
        "Missing feature",
        "機能不足",
        "要件に合わない",
        "integration not supported",
        "SSO対応なし",
    ],
    "unresponsive": ["No response", "ghosted", "連絡が取れない", "音信不通", "no reply"],
    "unclassified": ["?", "see notes", "その他", "misc", "-"],
}
# Unclassified texts stay rare (2%), well inside the agreed maximum share (10%), so that
# even a small sample keeps the promise the quality gate checks.
LOST_REASON_WEIGHTS = [28, 22, 16, 12, 10, 7, 2]

# rejection reason -> what happens to the lead (recycle to nurture, or disqualify)
REJECTION_REASONS = {
    "No budget": "recycled",
    "Not a decision maker": "recycled",
    "Timing": "recycled",
    "Student or job seeker": "disqualified",
    "Competitor": "disqualified",
    "Bad contact data": "disqualified",
}
STALLED_REASON = "No response"

TRADE_SHOWS = ["DX推進EXPO", "Japan IT Week", "スマート工場EXPO①", "営業支援フェア②"]
WEBINAR_TOPICS = ["営業DX入門", "MA活用術", "データ連携の基礎", "生成AIと業務改善"]
CONTENT_OFFERS = ["導入事例集", "製品カタログ", "ROI試算ホワイトペーパー", "比較ガイド"]
