"""Country tagging: a gazetteer (pycountry + curated aliases) and context rules for the traps.

``generate_gazetteer()`` writes ``nlp/data/countries.jsonl`` from pycountry and the curated
``nlp/data/country_aliases.jsonl``; at run time only the generated file is read. The spaCy
component ``credscope_countries`` writes spans labelled with ISO 3166-1 alpha-2 codes to
``doc.spans["countries"]``; ``find_countries()`` is the same logic on a plain string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language

from nlp.gazetteer import Entry, Match, PhraseTable, entries_from_rows, read_jsonl
from nlp.spans import PhraseTagger

SPANS_KEY = "countries"
GAZETTEER_FILE = "countries.jsonl"
ALIASES_FILE = "country_aliases.jsonl"

# Countries whose names are also given names or surnames ("Michael Jordan", "Chad Smith").
PERSON_NAMES = frozenset(
    {"Jordan", "Chad", "Georgia", "Israel", "Kenya", "India", "Sudan", "Kent", "Kerry", "Shannon"}
    | {"Ennis", "Lancaster", "Derby", "Stirling", "Victoria", "Florence", "Regina", "Austin"}
    | {"Adelaide", "Sofia", "Douglas", "Lorraine"}
)
# First names among them: a capitalised surname after one makes a name ("Adelaide Almeida").
FIRST_NAMES = frozenset(
    {"Jordan", "Chad", "Adelaide", "Florence", "Victoria", "Regina", "Sofia", "Austin", "Kerry"}
    | {"Shannon", "Douglas", "Lorraine"}
)
# Capitalised words after a place name that make it a place, not a first name ("Sofia University").
PLACE_HEADS = frozenset(
    {"University", "City", "College", "Institute", "Region", "County", "Airport", "Council"}
    | {"Declaration", "Process", "Communiqué", "Agreement", "Polytechnic", "Campus", "Metropolitan"}
)
# Capitalised words that may precede a country name without making it a person's name.
FUNCTION_WORDS = frozenset(
    [
        "A",
        "An",
        "And",
        "As",
        "At",
        "Between",
        "Both",
        "By",
        "During",
        "Each",
        "Either",
        "For",
        "From",
        "How",
        "In",
        "Including",
        "Into",
        "Like",
        "Neither",
        "Nor",
        "Of",
        "On",
        "Or",
        "Outside",
        "Since",
        "Such",
        "Than",
        "That",
        "The",
        "Then",
        "These",
        "This",
        "Those",
        "Through",
        "To",
        "Unlike",
        "Until",
        "Whereas",
        "Where",
        "When",
        "While",
        "Whilst",
        "With",
        "Within",
        "Without",
        "Yet",
        "Across",
        "After",
        "Also",
        "Although",
        "Before",
    ]
)
# A city or country name followed by one of these names an agreement or process, not a place.
AGREEMENT_WORDS = re.compile(
    r"\s*(?:Process|process|Declaration|declaration|Communiqu[eé]|communiqu[eé]|Convention|"
    r"Agreement|Strategy|Conclusions|conclusions|Treaty|Charter|Principles|Agenda|Commitment|"
    r"Accord|Protocol|Criteria|criteria|Pledge|Recommendation|[Ii]nitiative|[Pp]rogramme|"
    r"[Kk]ey [Cc]ommitments?|Follow-[Uu]p|[Mm]inisterial)\b"
)
# Capitalised qualifiers that make a place of the next word, not a first name ("Western Kenya",
# "Rural Georgia", "Greater Adelaide", "Digital India").
PLACE_QUALIFIERS = frozenset(
    {"North", "South", "East", "West", "Northern", "Southern", "Eastern", "Western", "Central"}
    | {"Rural", "Greater", "Upper", "Lower", "Inner", "Outer", "Coastal", "Metropolitan", "Urban"}
    | {"Digital", "Skills", "Skill", "Team", "Invest", "Visit", "Study", "Made", "Make", "Startup"}
    | {"Global", "Modern", "Contemporary", "Colonial", "Independent", "Post-war", "Today"}
)
# Name particles: "Leonardo da Vinci", "Jan van Eyck" are people, not places. The word before
# the particle must look like a first name: "Universidad de Salamanca", "Politecnico di Milano"
# and "Escola del Treball de Lleida" (a chain of particles) name institutions in a place.
NAME_PARTICLE_BEFORE = re.compile(
    r"(?<!\bd[aeiou] )(?<!\bdel )(?<!\bdos )(?<!\bdas )(?<!\bdella )\b([A-Z][a-z]+) "
    r"(?:da|de|di|van|von|del|della|du) $"
)
# Institution and administration words of other languages that precede a place with "de/di/do".
INSTITUTION_WORDS = frozenset(
    {"Universidad", "Universidade", "Université", "Universitat", "Università", "Universität"}
    | {"Universiteit", "Escola", "Escuela", "École", "Ecole", "Instituto", "Istituto", "Institut"}
    | {"Politecnico", "Politécnico", "Politècnica", "Politécnica", "Colegio", "Collège", "Centro"}
    | {"Centre", "Ciudad", "Comunidad", "Comunitat", "Generalitat", "Junta", "Región", "Regione"}
    | {"Região", "Provincia", "Província", "Ayuntamiento", "Câmara", "Cámara", "Camera", "Chambre"}
    | {"Académie", "Academia", "Accademia", "Liceo", "Lycée", "Hochschule", "Fundación"}
    | {"Fundação", "Fondazione", "Fondation", "Hospital", "Hôpital", "Ospedale", "Agència"}
    | {"Agencia", "Agência", "Agenzia", "Agence", "Servei", "Servicio", "Serviço", "Servizio"}
    | {"Consejo", "Conselho", "Consiglio", "Conseil", "Comune", "Città", "Ville", "Puerto"}
    | {"Diputación", "Cité", "Museo", "Museu", "Musée", "Banco", "Banca", "Banque", "Cidade"}
    | {"Comarca", "Gobierno", "Governo", "Hogeschool", "Lyceum", "Campus"}
)
AGREEMENT_BEFORE = re.compile(r"(?:Treaty|Treaties|Declaration|Communiqu[eé]|Charter) of\s+$")
# Seat addresses and imprints: a postcode before the city, or a street/box/phone line around it.
POSTCODE_BEFORE = re.compile(
    r"(?:\b[A-Z]{1,2}-\d{3,5}|\b\d{3} \d{2}|\b(?!(?:19|20)\d\d\b)\d{4,5})\s+$"
)
SEAT_BEFORE = re.compile(r"\b(?:seat|seated|registered office)\b[^.;]{0,30}$")
ADDRESS_AFTER = re.compile(r"\s*(?::\s*Publications Office|,?\s*(?:[A-Z]{1,2}-)?\d{4,5}\b)")
# "Thessaloniki (Pylea), GREECE": a country in capitals after the place ends an address line;
# an acronym after a country ("in Australia, RMIT University", "MBDA UK, KMF") does not.
CAPS_AFTER = re.compile(r"(?:\s*\(\w+\))?,\s*([A-Z]{2,}(?: [A-Z]{2,})*)\b")
POSTCODE_IN_LINE = re.compile(r"\b\d{3,5}(?: \d{2})? [A-Z][\w-]+(?: \([\w ]+\))?,\s*$")
# A street counts only with a house number ("12 Main Street", "Rue de la Loi 200"): "High Street
# retailers in the UK" and "the Wall Street Journal in 2015" are no addresses; nor is "Tel Aviv".
_STREET = r"(?:Street|Avenue|Road|Rue|Straße|Strasse|Str\.|straat|Calle|Rua)"
_HOUSE_NUMBER = r"(?!(?:19|20)\d\d\b)\d{1,4}[a-z]?\b"
ADDRESS_CONTEXT = re.compile(
    r"(?:P\.?\s?O\.?\s?Box|Postal address|Tel\.?:|Tel\.\s|Fax:|E-mail:|Email:|"
    rf"\b{_HOUSE_NUMBER},?\s+(?:[A-Z][\w'.-]*\s+){{0,3}}{_STREET}(?!\w)|"
    rf"\b{_STREET}(?:\s+[\w'.-]+){{0,3}}\s+{_HOUSE_NUMBER}|"
    r"Publications Office|Printed in|Imprint|imprint|"
    r"\bplace de\b|\brue de\b|headquarters address|postal address)"
)
# Language use of an adjective: "in Swedish", "German-speaking", "the Dutch version".
LANGUAGE_AFTER = re.compile(
    r"(?:[- ](?:language|languages|speaking|speakers?|translation|version|subtitles|words?|"
    r"text|original|sign language|course|courses|lessons|classes|tuition|teacher|rendering|"
    r"term|terms|equivalent|spelling|acronym|wording)\b)"
)
LANGUAGE_BEFORE = re.compile(
    r"\b(?:[Ii]n|[Ii]nto|from|to|speak|speaks|spoken|translated)\s+"
    r"(?:[A-Z][a-z]+(?:,\s*[A-Z][a-z]+)*,?\s+(?:and|or)\s+)?$"
)
US_STATE_CUES = re.compile(r"\b(?:Atlanta|Savannah|U\.S\.|USA|US state|Peach State)\b")
# "CONTACT US", "ABOUT US", "JOIN US": the pronoun in an all-caps heading, not the country.
US_PRONOUN_BEFORE = re.compile(
    r"\b(?:ABOUT|CONTACT|JOIN|FOLLOW|HELP|EMAIL|E-MAIL|TELL|GIVE|LET|SUPPORT|CALL|WRITE TO|"
    r"WITH|FOR|OF|TO|FROM|BY|ALL OF|SEND|ASK|VISIT|MEET|FIND|LIKE|[Aa]bout|[Cc]ontact|[Jj]oin|"
    r"[Ff]ollow)\s+$"
)
QUALIFIER_COMMA = re.compile(r",[ \t]+")
LIST_SEPARATOR = re.compile(r"\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or|&)\s+")
US_STATE_CODE = re.compile(
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|"
    r"NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC)\b(?!-)"
)
NEXT_WORD = re.compile(r"\s+([A-Z][a-z]+)")
# the word before, on the same line (a heading above ends with a capitalised word too)
PREV_WORD = re.compile(r"([A-Z][a-z]+)[ \t]+$")


# Adjectives that are also language names: only these can be a language ("in Swedish").
LANGUAGE_NAMES = frozenset(
    [
        "Albanian",
        "Arabic",
        "Armenian",
        "Basque",
        "Belarusian",
        "Bosnian",
        "Bulgarian",
        "Catalan",
        "Chinese",
        "Croatian",
        "Czech",
        "Danish",
        "Dutch",
        "English",
        "Estonian",
        "Finnish",
        "Flemish",
        "French",
        "Galician",
        "Georgian",
        "German",
        "Greek",
        "Hebrew",
        "Hindi",
        "Hungarian",
        "Icelandic",
        "Irish",
        "Italian",
        "Japanese",
        "Korean",
        "Latvian",
        "Lithuanian",
        "Luxembourgish",
        "Macedonian",
        "Maltese",
        "Montenegrin",
        "Norwegian",
        "Persian",
        "Polish",
        "Portuguese",
        "Romanian",
        "Russian",
        "Serbian",
        "Slovak",
        "Slovenian",
        "Slovene",
        "Spanish",
        "Swedish",
        "Turkish",
        "Ukrainian",
        "Welsh",
    ]
)


def _adjective_is_language(text: str, match: Match) -> bool:
    if text[match.start : match.end].title() not in LANGUAGE_NAMES:
        return False  # "New Zealand", "Scottish": never a language on their own
    after = text[match.end : match.end + 24]
    if after.startswith(("'s", "\u2019s")):
        return False
    if LANGUAGE_AFTER.match(after):
        return True
    before = text[max(0, match.start - 60) : match.start]
    if LANGUAGE_BEFORE.search(before):
        # "in Swedish." / "in English and German" are languages; "in Finnish VET" is a system
        rest = after.lstrip()
        return not rest or rest[0] in ".,;:)'\"" or rest.startswith(("and ", "or ", "as "))
    return False


def _after_name_particle(text: str, match: Match) -> bool:
    """ "Leonardo da Vinci": a place name after a first name and a particle is a surname."""
    found = NAME_PARTICLE_BEFORE.search(text, max(0, match.start - 40), match.start)
    return bool(found and found.group(1) not in INSTITUTION_WORDS)


def _is_person_name(text: str, match: Match) -> bool:
    before = text[max(0, match.start - 20) : match.start]
    if _after_name_particle(text, match):
        return True
    prev = PREV_WORD.search(before)
    if (
        prev
        and prev.group(1) not in FUNCTION_WORDS
        and prev.group(1) not in PLACE_QUALIFIERS
        and not before.rstrip().endswith((".", ":"))
    ):
        return True
    nxt = NEXT_WORD.match(text, match.end)
    return bool(
        nxt
        and match.entry.text in FIRST_NAMES
        and nxt.group(1) not in FUNCTION_WORDS
        and nxt.group(1) not in PLACE_HEADS
    )


def _is_us_state(text: str, match: Match) -> bool:
    window = text[max(0, match.start - 60) : match.end + 40]
    return bool(US_STATE_CUES.search(window))


def _is_address(text: str, match: Match) -> bool:
    before = text[max(0, match.start - 12) : match.start]
    if POSTCODE_BEFORE.search(before):
        return True
    if SEAT_BEFORE.search(text[max(0, match.start - 50) : match.start]):
        return True
    if ADDRESS_AFTER.match(text, match.end):
        return True
    caps = CAPS_AFTER.match(text, match.end)
    if caps and caps.group(1) in _country_names_in_capitals():
        return True
    line_start = text.rfind("\n", 0, match.start) + 1
    line_end = text.find("\n", match.end)
    line = text[max(line_start, match.start - 80) : (match.end + 80 if line_end < 0 else line_end)]
    if POSTCODE_IN_LINE.search(text, max(line_start, match.start - 80), match.start):
        return True
    return bool(ADDRESS_CONTEXT.search(line))


@lru_cache(maxsize=1)
def _country_names_in_capitals() -> frozenset[str]:
    """Country names and aliases in capitals ("GREECE", "UNITED KINGDOM"), for address lines."""
    rows = read_jsonl(GAZETTEER_FILE)
    kinds = {"name", "alias"}
    return frozenset(r["text"].upper() for r in rows if r["codes"] and r["kind"] in kinds)


def _is_agreement(text: str, match: Match) -> bool:
    if AGREEMENT_WORDS.match(text, match.end):
        return True
    return bool(AGREEMENT_BEFORE.search(text[max(0, match.start - 20) : match.start]))


def reject_reason(text: str, match: Match) -> str | None:
    """Why a gazetteer match is not a country mention here, or None if it is one."""
    entry = match.entry
    if not entry.codes:
        return "negative"
    surface = text[match.start : match.end]
    if entry.kind == "adjective" and _adjective_is_language(text, match):
        return "language"
    if entry.text in PERSON_NAMES and _is_person_name(text, match):
        return "person"
    if _after_name_particle(text, match):
        return "person"
    if entry.text == "Georgia" and _is_us_state(text, match):
        return "us-state"
    if entry.kind in {"name", "alias", "place"} and _is_agreement(text, match):
        return "agreement"
    if entry.kind in {"name", "alias", "place"} and _is_address(text, match):
        return "address"
    if surface.isupper() and len(surface) <= 3 and surface != entry.text:
        return "acronym"
    if surface == "US" and US_PRONOUN_BEFORE.search(text[max(0, match.start - 12) : match.start]):
        return "pronoun"
    return None


class CountryFinder:
    """Gazetteer lookup plus context rules, on plain strings."""

    def __init__(self, entries: Iterable[Entry], *, match_all_caps: bool = True) -> None:
        self.entries = list(entries)
        table = list(self.entries)
        if match_all_caps:
            # "TURKEY" in an all-caps heading: upper-case forms of names of five letters or more
            known = {e.text for e in table}
            for e in self.entries:
                upper = e.text.upper()
                if upper not in known and len(e.text) >= 5 and e.text != upper:
                    table.append(Entry(upper, e.codes, e.kind))
                    known.add(upper)
        self.table = PhraseTable(table)

    def find(self, text: str) -> list[tuple[int, int, str, str]]:
        """Return ``(start, end, code, rule)`` for each country mention in ``text``."""
        kept = [m for m in self.table.finditer(text) if reject_reason(text, m) is None]
        found = []
        for index, match in enumerate(kept):
            codes = _qualified_place_codes(text, match, kept[index + 1 : index + 3])
            for code in codes:
                found.append((match.start, match.end, code, match.entry.kind))
        return found


def _qualified_place_codes(text: str, match: Match, following: list[Match]) -> tuple[str, ...]:
    """A city qualified by its region or country lies there: "Cambridge, Massachusetts" and
    "Cambridge, MA" are in the US, "London, Ontario" in Canada, "Perth, Scotland" in the UK."""
    if match.entry.kind != "place":
        return match.entry.codes
    comma = QUALIFIER_COMMA.match(text, match.end)
    if comma is None:
        return match.entry.codes
    if following and following[0].start == comma.end() and following[0].entry.codes:
        qualifier = following[0]
        in_list = (
            qualifier.entry.kind == "place"
            and len(following) > 1
            and LIST_SEPARATOR.fullmatch(text, qualifier.end, following[1].start) is not None
        )
        # "Nairobi, Kuala Lumpur and São Paulo" is a list of cities, not a city in a region
        return match.entry.codes if in_list else qualifier.entry.codes
    state = US_STATE_CODE.match(text, comma.end())
    return ("US",) if state else match.entry.codes


def load_entries() -> list[Entry]:
    return entries_from_rows(read_jsonl(GAZETTEER_FILE))


def find_countries(text: str) -> list[tuple[int, int, str, str]]:
    """Country mentions in a plain string (no spaCy Doc), using the packaged gazetteer."""
    return _default_finder().find(text)


_FINDER: CountryFinder | None = None


def _default_finder() -> CountryFinder:
    global _FINDER
    if _FINDER is None:
        _FINDER = CountryFinder(load_entries())
    return _FINDER


class CountryTagger(PhraseTagger):
    """spaCy component: country spans (label = alpha-2 code, ``id_`` = rule) in ``doc.spans``."""

    def __init__(self, nlp: Language, name: str, spans_key: str, match_all_caps: bool) -> None:
        self.name = name
        self.spans_key = spans_key
        self.match_all_caps = match_all_caps
        self.finder: CountryFinder | None = None

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        entries: list[dict] | None = None,
    ) -> None:
        rows = entries if entries is not None else read_jsonl(GAZETTEER_FILE)
        self.finder = CountryFinder(entries_from_rows(rows), match_all_caps=self.match_all_caps)


@Language.factory(
    "credscope_countries",
    assigns=["doc.spans"],
    default_config={"spans_key": SPANS_KEY, "match_all_caps": True},
)
def make_country_tagger(
    nlp: Language, name: str, spans_key: str, match_all_caps: bool
) -> CountryTagger:
    return CountryTagger(nlp, name, spans_key=spans_key, match_all_caps=match_all_caps)


def _pycountry_names() -> list[tuple[str, str]]:
    import pycountry

    names: list[tuple[str, str]] = []
    for country in pycountry.countries:
        forms = [country.name]
        forms += [
            getattr(country, a) for a in ("official_name", "common_name") if hasattr(country, a)
        ]
        for form in forms:
            form = re.sub(r"\s*\(.*?\)", "", form).strip()
            if form.startswith("the "):
                form = form[4:]
            if ", " in form:
                head, _, tail = form.partition(", ")
                if not (tail.endswith(" of") or tail.endswith(" of the")):
                    if tail[0].islower() or tail in {"British", "U.S."}:
                        continue
                    names.append((form, country.alpha_2))
                    continue
                tail = tail[0].upper() + tail[1:]
                names.append((f"{tail} {head}", country.alpha_2))
                continue
            names.append((form, country.alpha_2))
    return names


def generate_gazetteer(out: Path | None = None) -> Path:
    """Write ``nlp/data/countries.jsonl`` from pycountry and the curated alias file."""
    curated = read_jsonl(ALIASES_FILE)
    rows: list[dict] = []
    seen: set[str] = set()
    for row in curated:  # curated first: it may override or block pycountry forms
        if row["text"] not in seen:
            seen.add(row["text"])
            rows.append(
                {
                    "text": row["text"],
                    "codes": [row["code"]] if row["code"] else [],
                    "kind": row["kind"],
                }
            )
    for name, code in _pycountry_names():
        if name not in seen:
            seen.add(name)
            rows.append({"text": name, "codes": [code], "kind": "name"})
    target = out or Path(__file__).parent / "data" / GAZETTEER_FILE
    with target.open("w", encoding="utf-8") as handle:
        for row in sorted(rows, key=lambda r: (r["kind"], r["text"])):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return target
