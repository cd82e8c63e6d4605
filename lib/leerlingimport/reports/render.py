"""The run report as plain text, ready to mail: Dutch by default, English on request."""

from __future__ import annotations

import pandas as pd

from leerlingimport.issues import Language
from leerlingimport.printable import neutralise
from leerlingimport.reporting import LABELS_EN, STATUS_EN, STATUS_NL, count_labels
from leerlingimport.reports.model import RunReport

MAX_LINES = 50  # per list; the rest is counted, the notebook and --json show everything

WORDS = {
    "nl": {
        "run": "Import",
        "trial": " (proefdraai)",
        "file": "Bestand",
        "read": "gelezen als",
        "rows": "rijen, waarvan geldig",
        "dropped": "niet gebruikte kolommen",
        "rejected": "Niet verwerkte rijen",
        "row": "rij",
        "years": "Leerlingen per jaargroep (voor / na deze import)",
        "previous": "vorige import",
        "year": "jaargroep",
        "changes": "Wijzigingen",
        "attention": "Wat een medewerker moet doen",
        "nothing": "Niets: alles is verwerkt.",
        "holds": "Aangehouden",
        "held_pupils": "Aangehouden leerlingen",
        "ambiguous": "Meerdere mogelijke klanten (koppel met 'leerlingimport customer link')",
        "mismatches": "Nummer hoort bij een ander kind",
        "loans": "Vertrekkers met geleende materialen",
        "unusual": "Opvallend veel",
        "more": "en nog",
        "due": "terug op",
        "candidate": "kandidaat klant",
        "card": "pas",
    },
    "en": {
        "run": "Import",
        "trial": " (dry run)",
        "file": "File",
        "read": "read as",
        "rows": "rows, valid",
        "dropped": "columns not used",
        "rejected": "Rows not processed",
        "row": "row",
        "years": "Pupils per year group (before / after this import)",
        "previous": "previous import",
        "year": "year group",
        "changes": "Changes",
        "attention": "What needs a person",
        "nothing": "Nothing: everything was processed.",
        "holds": "Held",
        "held_pupils": "Pupils held back",
        "ambiguous": "Several possible customers (link with 'leerlingimport customer link')",
        "mismatches": "Number belongs to another child",
        "loans": "Leavers with items on loan",
        "unusual": "Unusually many",
        "more": "and",
        "due": "due",
        "candidate": "candidate customer",
        "card": "card",
    },
}
FIELD_LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "group_code": "groep",
        "year_group": "jaargroep",
        "student_number": "leerlingnummer",
        "first_name": "roepnaam",
        "initials": "voorletters",
        "prefix": "tussenvoegsel",
        "surname": "achternaam",
        "birth_date": "geboortedatum",
        "sex": "geslacht",
        "street": "straat",
        "house_number": "huisnummer",
        "house_number_suffix": "toevoeging",
        "postcode": "postcode",
        "city": "plaats",
        "email": "e-mail",
        "card_number": "pasnummer",
    },
    "en": {},
}
KIND_LABELS = {
    "nl": {
        "new": "nieuw",
        "linked": "gekoppeld aan een bestaande klant",
        "transferred": "overgestapt van een andere school",
        "reactivated": "teruggekomen",
        "updated": "bijgewerkt",
        "card": "nieuwe pas (vervangt de oude)",
        "deregistered": "uitgeschreven",
        "arriving": "nieuwe of teruggekomen leerlingen",
        "rejected": "niet verwerkte rijen",
    },
    "en": {
        "new": "new",
        "linked": "linked to an existing customer",
        "transferred": "transferred from another school",
        "reactivated": "returned",
        "updated": "updated",
        "card": "new card (replaces the old one)",
        "deregistered": "deregistered",
        "arriving": "new or returning pupils",
        "rejected": "rows not processed",
    },
}


def render_report(report: RunReport, language: Language | None = None) -> str:
    """The report as plain text for a mail or the terminal."""
    lang: Language = language or report.language
    w, kinds = WORDS[lang], KIND_LABELS[lang]
    status = (STATUS_NL if lang == "nl" else STATUS_EN).get(report.status, report.status)
    lines = [
        f"{w['run']} {report.run_id}: {report.school} ({report.brin}), {status}"
        + (w["trial"] if report.dry_run else ""),
        "",
    ]
    labels = count_labels(report.status) if lang == "nl" else LABELS_EN
    lines += [f"  {labels.get(k, k):<34}{v:>6}" for k, v in report.counts.items()]
    lines += _file(report, lang)
    lines += _years(report, lang)
    lines += ["", f"{w['changes']}:"]
    for kind, rows in report.changes.groupby("kind", observed=True, sort=True):
        lines.append(f"  {kinds[str(kind)]} ({rows['pupil'].nunique()}):")
        pupils = rows.groupby("pupil", sort=False)
        shown = [_change_line(_records(fields), lang) for _, fields in pupils]
        lines += _limited(shown, lang, "    ")
    lines += ["", f"{w['attention']}:"]
    lines += _attention(report, lang) or [f"  {w['nothing']}"]
    return "\n".join(neutralise(line) if line else "" for line in lines) + "\n"


def _file(report: RunReport, lang: Language) -> list[str]:
    w = WORDS[lang]
    f = report.file
    if f is None:
        return []
    how = ", ".join(
        str(v) for v in (f.container, f.encoding, f.delimiter and repr(f.delimiter), f.sheet) if v
    )
    lines = ["", f"{w['file']}: {f.name} ({w['read']} {how}); {f.rows} {w['rows']} {f.valid_rows}"]
    if f.dropped_columns:
        lines.append(f"  {w['dropped']}: {', '.join(f.dropped_columns)}")
    whole = [i for i in report.issues if i["row"] is None and i["severity"] == "error"]
    lines += [f"  {i['message']}" for i in whole]
    if len(report.rejected_rows):
        lines.append(f"{w['rejected']}:")
        lines += _limited(
            [f"{w['row']} {r['row']}: {r['message']}" for r in _records(report.rejected_rows)],
            lang,
            "  ",
        )
    return lines


def _years(report: RunReport, lang: Language) -> list[str]:
    w = WORDS[lang]
    if report.year_groups.empty:
        return []
    title = w["years"]
    if report.previous_run is not None:
        title += f"; {w['previous']} {report.previous_run.run_id}"
    lines = ["", f"{title}:"]
    for year, r in report.year_groups.iterrows():
        lines.append(
            f"  {w['year']} {year}: {r['before']:>5} → {r['after']:>5}  ({r['difference']:+d})"
        )
    return lines


def _attention(report: RunReport, lang: Language) -> list[str]:
    w, kinds = WORDS[lang], KIND_LABELS[lang]
    lines: list[str] = []
    if report.holds:
        lines.append(f"  {w['holds']}:")
        lines += [
            f"    {h['kind']} {h['brin']}: {h['count']} / {h['active']}" for h in report.holds
        ]
    if len(report.held_pupils):
        lines.append(f"  {w['held_pupils']} ({len(report.held_pupils)}):")
        lines += _limited(
            [
                f"{r['held']}: {w['card']} {r['card_number'] or '-'} ({r['pupil']}){_names(r)}"
                for r in _records(report.held_pupils)
            ],
            lang,
            "    ",
        )
    if len(report.ambiguous):
        lines.append(f"  {w['ambiguous']}:")
        lines += [
            f"    {w['row']} {r['row']} ({r['pupil']}{_names(r)}): {w['candidate']} "
            f"{r['candidate']}, {w['card']} {r['card_number'] or '-'}"
            + (f", {r['school']}" if r["school"] else "")
            for r in _records(report.ambiguous)
        ]
    if len(report.mismatches):
        lines.append(f"  {w['mismatches']}:")
        lines += [
            f"    {w['row']} {r['row']}: {w['card']} {r['other_card'] or '?'}"
            for r in _records(report.mismatches)
        ]
    if len(report.leavers_with_loans):
        lines.append(f"  {w['loans']}:")
        lines += _limited(
            [
                f"{w['card']} {r['card_number']}{_names(r)}: {r['item']}, {w['due']} "
                f"{r['due_on']:%d-%m-%Y}"
                for r in _records(report.leavers_with_loans)
            ],
            lang,
            "    ",
        )
    for what, share in report.unusual:
        lines.append(f"  {w['unusual']} {kinds[what]}: {share:.0%}")
    return lines


def _change_line(fields: list[dict[str, object]], lang: Language) -> str:
    """One pupil's line: group, card, pseudonym (names), where from, every field old → new."""
    r = fields[0]
    who = f"{r['group'] or '-'}: {r['card_number'] or '-'} ({r['pupil']}){_names(r)}"
    if r["kind"] == "transferred" and r["from_school"]:
        who += f" ← {r['from_school']}"
    labels = FIELD_LABELS[lang]
    changed = [
        f"{labels.get(str(f['field']), f['field'])} {f['old'] or '∅'} → {f['new'] or '∅'}"
        for f in fields
        if f["field"]
    ]
    return who + (": " + ", ".join(changed) if changed else "")


def _names(r: dict[str, object]) -> str:
    parts = [r.get(n) for n in ("first_name", "prefix", "surname")]
    shown = " ".join(str(p) for p in parts if isinstance(p, str) and p)
    return f" {shown}" if shown else ""


def _limited(lines: list[str], lang: Language, indent: str) -> list[str]:
    out = [indent + line for line in lines[:MAX_LINES]]
    if len(lines) > MAX_LINES:
        out.append(f"{indent}... {WORDS[lang]['more']} {len(lines) - MAX_LINES}")
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
