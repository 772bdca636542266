"""The noise a finished prompt must not hold, as patterns and word lists.

Timestamps and digit runs (and the numbers that are not noise: measures, designations), file
names, domains and URLs, key: value lists, glued camel case and slugs, the program's own words,
placeholders, echoes of injection-like ideas and their framing.
"""

from __future__ import annotations

import re

from promptimp.models import FRAMEWORKS
from promptimp.quality.lexicon import plain

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}(?:T[\d: ]+)?|\b\d{1,2}:\s?\d{1,2}:\s?\d{1,2}\b")
LONG_DIGITS = re.compile(r"\d{5,}")
NUMBER_TUPLE = re.compile(r"\(\s*\d+(?:\s*,\s*\d+)+\s*\)")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
MEASURE = re.compile(
    r"[$€£]\s?\d[\d.,]*|(?<![\dx.,])\d[\d.,]*\s?(?:%|€|\$|£|px|pt|em|rem|ms|gb|mb|kb|tb|gib|mib|"
    r"gi|mi|kg|km|mm|cm|ml|mg|euros?|dollars?|d[oó]lares|usd|eur)(?!\w)",
    re.I,
)
"""A number with its unit or currency ('320px', '40 €', '1.2 GB'): a measure, not noise."""
DESIGNATION = re.compile(r"(?<=\S)\s+[A-Z][\w+#-]*\s+\d[\d./-]*[A-Za-z]?\b")
"""A number after a capitalised name inside a sentence ('NIST SP 800-63B', 'Ley 3/2004',
'React 18'): a version or a standard, not noise."""
URL = re.compile(r"https?://\S+|\bwww\.\S+", re.I)
FILE_NAME = re.compile(
    r"\b[\w-]+\.(?:jsx|tsx|js|ts|py|rb|php|java|go|rs|html?|css|scss|json|ya?ml|toml|md|txt|"
    r"csv|xlsx?|docx?|pdf|png|jpe?g|svg|exe|sh|sql|ini|cfg|lock|log)\b",
    re.I,
)
DOMAIN = re.compile(
    r"\b[a-z0-9-]+\.(?:com|org|net|io|dev|es|co|ai|app|info|biz|me|uk|de|fr|mx|ar|us)\b", re.I
)
_WELL_KNOWN_FILES = """readme.md package.json requirements.txt pyproject.toml docker-compose.yml
tsconfig.json settings.py manage.py"""
WELL_KNOWN_FILES = frozenset(_WELL_KNOWN_FILES.split())
TECH_JS = re.compile(r"^(?:[A-Z]\w*|d3|node|vue|next|nuxt|three|express)\.js$")
KEY_VALUE = re.compile(r"\b[\w-]+\s*[:=]\s*[\w.-]+\s*(?:;|,|$)")
LITERALS = re.compile(r"\b(?:true|false|null|none)\b\s*[;,]", re.I)
CAMEL = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]{2,}[A-Z]")
CAMEL_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
KNOWN_CAMEL = frozenset(
    plain(
        "JavaScript TypeScript PostgreSQL GraphQL FastAPI iPhone iPad iOS macOS LinkedIn GitHub "
        "GitLab YouTube WhatsApp DevOps OAuth PyTorch NumPy SciPy McKinsey eBay PayPal TikTok "
        "WordPress HubSpot SaaS PaaS IaaS DynamoDB MongoDB BigQuery ChatGPT OpenAI "
        "CloudFormation CloudWatch VSCode DataFrame GitHub's MySQL NoSQL SQLite PowerPoint "
        "OneDrive SharePoint QuickBooks FaceTime AirPods JetBrains IntelliJ PyPI npm useState "
        "useEffect useMemo useCallback useRef useContext useReducer onClick onChange "
        "localStorage sessionStorage setTimeout setInterval querySelector getElementById "
        "addEventListener TensorFlow LaTeX AirBnb Airbnb DoorDash SoundCloud MailChimp "
        "ChatOps GitOps FinOps MLOps DevSecOps WebSocket WebSockets JSONB ReactDOM NextJS "
        "DataLoader LogQL PromQL httpOnly SameSite DevTools jQuery SwiftUI UIKit TestFlight "
        "VoiceOver TalkBack PubMed ValueError TypeError KeyError HbA1c LoRA RateLimit OpenAPI "
        "ConfigMap StatefulSet DaemonSet ReplicaSet OOMKilled CrashLoopBackOff PowerShell "
        "ArgoCD CircleCI WebAssembly WebRTC WebGL IndexedDB SQLAlchemy MariaDB ClickHouse "
        "LangChain LlamaIndex HuggingFace XMLHttpRequest NestJS NodeJS VueJS CocoaPods"
    ).split()
)
"""Well-known names written in camel case (libraries, products, attributes, Kubernetes kinds)."""
SLUG = re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+){2,}\b|\b(?:use|get|set|create)-[a-z0-9]+\b")
_COMMON_COMPOUNDS = """step-by-step end-to-end up-to-date state-of-the-art day-to-day one-on-one
    face-to-face word-of-mouth out-of-the-box peer-to-peer easy-to-read ready-to-use
    back-and-forth
    mother-in-law sister-in-law brother-in-law father-in-law well-thought-out hard-to-find
    first-year second-year third-year fourth-year last-minute off-the-shelf do-it-yourself
    one-to-one one-to-many many-to-many many-to-one before-and-after plain-language
    follow-up read-only write-only set-up"""
COMMON_COMPOUNDS = frozenset(_COMMON_COMPOUNDS.split())
PROGRAM_WORDS = re.compile(
    r"json object|output fields?|input fields?|\b\d+\s*(?:-|to|a)\s*\d+\s+(?:words|palabras)\b|"
    r"original_idea|improved_prompt|\brough idea\b|objeto json|campos? de (?:salida|entrada)|"
    r"\bone of:|0\.0 to 1\.0|\bthe user's idea\b",
    re.I,
)
INJECTION_ECHO = re.compile(
    r"\bas an? (?:ai|artificial intelligence)\b|\blanguage model\b|\bhard rules?\b|"
    r"\boutput(?: format)? rules?\b|\bcomo (?:una? )?(?:ia|inteligencia artificial)\b|"
    r"\bmodelo de lenguaje\b|\breglas (?:estrictas|duras|de salida|de formato)\b",
    re.I,
)
PLACEHOLDERS = re.compile(
    r"\[\s*(?:insert|inserte|inserta|your|tu|add|placeholder)\b[^\]]*\]|"
    r"<\s*(?:placeholder|insert)[^>]*>|\{\{?\s*(?:placeholder|insert)[^}]*\}\}?|"
    r"\blorem ipsum\b|\b(?:TODO|TBD|FIXME)\b"
)
"""Placeholders and filler that a finished prompt must not contain."""
FRAMEWORK_WORDS = re.compile("|".join(re.escape(name) for name in FRAMEWORKS if "-" in name), re.I)
"""Framework names that no prose field needs ('react' and 'decomposition' are ordinary)."""
