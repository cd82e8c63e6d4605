"""The message catalogue: code → (severity, Dutch template, English template).

Templates may use ``{row}``, ``{column}``, ``{value}`` and the details a caller passes.
Codes are stable: scripts and the portal rely on them. Add, never rename.
"""

from __future__ import annotations

from typing import Final, Literal

_S = Literal["error", "warning", "info"]

CATALOGUE: Final[dict[str, tuple[_S, str, str]]] = {
    # --- the file as a whole (ingest) ---
    "empty-file": (
        "error",
        "het bestand is leeg. Maak de export opnieuw en upload die.",
        "the file is empty. Export it again and upload that.",
    ),
    "file-too-large": (
        "error",
        "het bestand is {size}; een leerlingbestand is veel kleiner (meer dan {limit} lezen wij "
        "niet). Exporteer alleen de leerlingen, of splits het bestand per vestiging.",
        "the file is {size}; a pupil file is much smaller (we do not read more than {limit}). "
        "Export only the pupils, or split the file by branch.",
    ),
    "unsupported-file": (
        "error",
        "dit is geen leerlingbestand dat wij kunnen lezen ({detail}). Stuur een .csv, .xlsx, "
        ".xls, .ods of EDEXML-bestand (.xml), of een .zip met daarin een van die bestanden.",
        "this is not a pupil file we can read ({detail}). Send a .csv, .xlsx, .xls, .ods or "
        "EDEXML (.xml) file, or a .zip holding one of those.",
    ),
    "encrypted-file": (
        "error",
        "het bestand is met een wachtwoord beveiligd. Sla het op zonder wachtwoord en upload "
        "het opnieuw; stuur nooit het wachtwoord mee.",
        "the file is password-protected. Save it without a password and upload it again; never "
        "send the password.",
    ),
    "macro-file": (
        "error",
        "het bestand bevat macro's ({detail}). Sla het op als gewone werkmap (.xlsx) of als "
        ".csv en upload het opnieuw.",
        "the file contains macros ({detail}). Save it as a plain workbook (.xlsx) or .csv and "
        "upload it again.",
    ),
    "unsafe-archive": (
        "error",
        "het zip-bestand is geweigerd: {detail}. Stuur het leerlingbestand zelf, of een gewone "
        "zip met alleen dat bestand.",
        "the zip file was refused: {detail}. Send the pupil file itself, or a plain zip holding "
        "only that file.",
    ),
    "unsafe-xml": (
        "error",
        "het bestand bevat XML-constructies die wij om veiligheidsredenen niet lezen ({detail}). "
        "Maak de export opnieuw vanuit het administratiesysteem.",
        "the file contains XML constructs we refuse to read for safety ({detail}). Export it "
        "again from the administration system.",
    ),
    "sheet-too-large": (
        "error",
        "het bestand is te groot om te lezen ({detail}); een leerlingbestand is veel kleiner. "
        "In een werkmap staat vaak iets in een cel ver buiten de lijst: kopieer alleen de "
        "leerlingen naar een nieuwe werkmap, of sla de lijst op als .csv, en upload die.",
        "the file is too large to read ({detail}); a pupil file is much smaller. In a workbook, "
        "something often sits in a cell far outside the list: copy only the pupils into a new "
        "workbook, or save the list as .csv, and upload that.",
    ),
    "no-pupil-file": (
        "error",
        "in het zip-bestand staat geen leerlingbestand (.csv, .xlsx, .xls, .ods of .xml).",
        "the zip file holds no pupil file (.csv, .xlsx, .xls, .ods or .xml).",
    ),
    "archive-entry-ignored": (
        "info",
        "'{value}' in het zip-bestand is niet gelezen ({detail}).",
        "'{value}' in the zip file was not read ({detail}).",
    ),
    "unknown-encoding": (
        "error",
        "de tekens in het bestand zijn niet te lezen als UTF-8 of Windows-1252 ({detail}). Sla "
        "het bestand op als 'CSV UTF-8' en upload het opnieuw.",
        "the characters cannot be read as UTF-8 or Windows-1252 ({detail}). Save the file as "
        "'CSV UTF-8' and upload it again.",
    ),
    "no-header": (
        "error",
        "geen kopregel met kolomnamen gevonden (bijv. LEERLINGNUMMER, ROEPNAAM, NAAM, GROEP). "
        "Zet de kolomnamen in de eerste regel boven de leerlingen.",
        "no header row with column names found (e.g. LEERLINGNUMMER, ROEPNAAM, NAAM, GROEP). Put "
        "the column names in the row above the pupils.",
    ),
    "no-data-rows": (
        "error",
        "het bestand heeft een kopregel maar geen leerlingen. Er is niets ingelezen en niemand "
        "uitgeschreven. Controleer de export en upload het bestand opnieuw.",
        "the file has a header row but no pupils. Nothing was read and nobody was deregistered. "
        "Check the export and upload the file again.",
    ),
    "ambiguous-sheet": (
        "error",
        "meerdere tabbladen lijken een leerlinglijst ({detail}). Laat alleen het juiste tabblad "
        "in het bestand staan.",
        "several sheets look like a pupil list ({detail}). Keep only the right sheet in the file.",
    ),
    "forbidden-column": (
        "error",
        "deze kolom bevat gegevens die de bibliotheek niet mag ontvangen (BSN, PGN, "
        "onderwijsnummer of rijksregisternummer). Het hele bestand is geweigerd en niet bewaard. "
        "Verwijder de kolom en upload het bestand opnieuw.",
        "this column holds data the library must not receive (BSN, PGN, education number or "
        "national register number). The whole file was refused and not kept. Remove the column "
        "and upload the file again.",
    ),
    "duplicate-column": (
        "error",
        "de kolommen {detail} betekenen allebei '{field}'. Laat er één van staan.",
        "the columns {detail} both mean '{field}'. Keep only one of them.",
    ),
    "rows-skipped": (
        "info",
        "rij {detail} is een toelichting of totaalregel, geen leerling, en is overgeslagen.",
        "row {detail} is a note or a total line, not a pupil, and was skipped.",
    ),
    "unnamed-column": (
        "warning",
        "kolom {detail} heeft geen naam in de kopregel en is niet gelezen. Geef de kolom een naam "
        "(bijv. LEERLINGNUMMER) als de bibliotheek die nodig heeft.",
        "column {detail} has no name in the header row and was not read. Name the column (e.g. "
        "LEERLINGNUMMER) if the library needs it.",
    ),
    "hidden-sheet-read": (
        "warning",
        "de leerlingen staan op het verborgen tabblad '{detail}'; dat is gelezen. Klopt dat niet, "
        "maak dan het juiste tabblad zichtbaar en upload opnieuw.",
        "the pupils are on the hidden sheet '{detail}'; it was read. If that is wrong, make the "
        "right sheet visible and upload again.",
    ),
    "column-dropped": (
        "info",
        "kolommen die de bibliotheek niet nodig heeft zijn niet gelezen: {detail}.",
        "columns the library does not need were not read: {detail}.",
    ),
    "sensitive-element-dropped": (
        "warning",
        "het bestand bevat gegevens die de bibliotheek niet mag hebben ({detail}); die zijn "
        "overgeslagen en niet bewaard. Laat ze voortaan weg uit de export.",
        "the file holds data the library must not have ({detail}); they were skipped and not "
        "kept. Leave them out of future exports.",
    ),
    "formula-cell": (
        "warning",
        "cellen met formules ({detail}): de berekende waarde is gebruikt, de formule niet. "
        "Controleer deze cellen.",
        "cells with formulas ({detail}): the calculated value was used, not the formula. Check "
        "these cells.",
    ),
    "too-many-fields": (
        "error",
        "deze regel heeft {found} velden, de kopregel {expected}. Controleer scheidingstekens "
        "en aanhalingstekens in deze regel.",
        "this line has {found} fields, the header {expected}. Check separators and quotes on "
        "this line.",
    ),
    "too-few-fields": (
        "error",
        "deze regel heeft {found} velden, de kopregel {expected}. Controleer scheidingstekens "
        "en aanhalingstekens in deze regel.",
        "this line has {found} fields, the header {expected}. Check separators and quotes on "
        "this line.",
    ),
    "unbalanced-quote": (
        "error",
        'een aanhalingsteken (") wordt hier geopend maar niet gesloten. Het bestand is niet te '
        "lezen; herstel de regel of exporteer opnieuw.",
        'a quote (") opens here but never closes. The file cannot be read; fix the line or '
        "export again.",
    ),
    "line-too-long": (
        "error",
        "deze regel is langer dan {limit} tekens; zo lang is geen leerlingrij. Het bestand is "
        "niet gelezen. Exporteer de leerlingen opnieuw, of controleer de regel in een "
        "teksteditor.",
        "this line is longer than {limit} characters; no pupil row is that long. The file was "
        "not read. Export the pupils again, or check the line in a text editor.",
    ),
    "too-many-lines": (
        "error",
        "het bestand heeft {found} regels; meer dan {limit} lezen wij niet (ook lege regels "
        "tellen mee). Exporteer alleen de leerlingen, of splits het bestand per vestiging.",
        "the file has {found} lines; we do not read more than {limit} (blank lines count too). "
        "Export only the pupils, or split the file by branch.",
    ),
    "too-wide": (
        "error",
        "deze regel heeft {found} velden; een leerlingbestand heeft er hooguit {limit}. Het "
        "bestand is niet gelezen. Exporteer alleen de kolommen die de bibliotheek vraagt.",
        "this line has {found} fields; a pupil file has at most {limit}. The file was not read. "
        "Export only the columns the library asks for.",
    ),
    "rows-do-not-match-header": (
        "error",
        "{found} van de {rows} regels hebben een ander aantal velden dan de kopregel. Het "
        "bestand is niet gelezen. Controleer het scheidingsteken en exporteer opnieuw.",
        "{found} of the {rows} lines have another number of fields than the header row. The "
        "file was not read. Check the delimiter and export again.",
    ),
    "mixed-delimiters": (
        "error",
        "de kopregel is gescheiden met '{header}', de leerlingrijen met '{rows}'. Sla het "
        "bestand opnieuw op met één scheidingsteken (in Excel: Opslaan als 'CSV UTF-8') en "
        "upload het opnieuw.",
        "the header row is separated by '{header}', the pupil rows by '{rows}'. Save the file "
        "again with one delimiter (in Excel: Save as 'CSV UTF-8') and upload it again.",
    ),
    "mixed-encoding": (
        "warning",
        "een deel van het bestand is in een andere tekenset opgeslagen (Windows-1252, regel "
        "{detail}); die regels zijn in hun eigen tekenset gelezen. Controleer de namen met "
        "accenten in die regels, en sla het bestand de volgende keer op als 'CSV UTF-8'.",
        "part of the file was saved in another character set (Windows-1252, line {detail}); "
        "those lines were read in their own character set. Check the names with accents in "
        "those lines, and next time save the file as 'CSV UTF-8'.",
    ),
    "several-pupil-files": (
        "error",
        "het zip-bestand bevat meer dan één leerlingbestand ({detail}). Wij weten niet welk "
        "bestand de hele school is. Upload elk bestand apart, of één bestand met alle "
        "leerlingen.",
        "the zip file holds more than one pupil file ({detail}). We cannot tell which one is "
        "the whole school. Upload each file on its own, or one file with all pupils.",
    ),
    "garbled-text-repaired": (
        "warning",
        "een deel van de tekst was verminkt door een verkeerde tekenset en is hersteld "
        "({detail}). Controleer de namen met accenten, en sla het bestand de volgende keer op "
        "als 'CSV UTF-8'.",
        "part of the text was garbled by a wrong character set and was repaired ({detail}). "
        "Check the names with accents, and next time save the file as 'CSV UTF-8'.",
    ),
    "hidden-characters-removed": (
        "warning",
        "onzichtbare tekens of stuurtekens (bijv. tekens die tekst van richting laten wisselen) "
        "zijn uit de gegevens verwijderd, in rij {detail}. Controleer de namen in die rijen.",
        "invisible or control characters (e.g. characters that switch the direction of text) "
        "were removed from the data, in row {detail}. Check the names in those rows.",
    ),
    "full-name-split": (
        "warning",
        "deze kolom bevat de hele naam; wij splitsen die in roepnaam, tussenvoegsel en "
        "achternaam (bijv. '{value}' als {parts}). Controleer de namen, of lever de volgende "
        "keer aparte kolommen voor roepnaam, tussenvoegsel en achternaam.",
        "this column holds the whole name; we split it into first name, prefix and surname "
        "(e.g. '{value}' as {parts}). Check the names, or next time send separate columns for "
        "first name, prefix and surname.",
    ),
    "too-many-rows": (
        "error",
        "het bestand heeft {found} rijen; meer dan {limit} lezen wij niet in één keer. Splits "
        "het bestand per vestiging.",
        "the file has {found} rows; we do not read more than {limit} at once. Split it by branch.",
    ),
}

VALIDATION: Final[dict[str, tuple[_S, str, str]]] = {
    # --- the file as a whole (validate) ---
    "missing-column": (
        "error",
        "de verplichte kolom voor {field} ontbreekt. Gebruik een van deze kolomnamen: {aliases}.",
        "the required column for {field} is missing. Use one of these headers: {aliases}.",
    ),
    "too-many-rejected": (
        "error",
        "{rejected} van de {rows} rijen zijn afgekeurd; dit bestand is waarschijnlijk niet wat "
        "het lijkt. Er is niets ingelezen. Controleer de export en upload het opnieuw.",
        "{rejected} of {rows} rows were rejected; this file is probably not what it seems. "
        "Nothing was read. Check the export and upload it again.",
    ),
    "initials-derived": (
        "info",
        "voorletters zijn afgeleid uit de roepnaam ({count}).",
        "initials were derived from the first name ({count}).",
    ),
    "group-code-derived": (
        "info",
        "groepscodes zijn afgeleid uit de groepsnamen ({detail}).",
        "group codes were derived from the group names ({detail}).",
    ),
    # --- one row ---
    "student-number-missing": (
        "error",
        "het leerlingnummer ontbreekt. Vul het in; zonder nummer kan de leerling niet worden "
        "ingeschreven.",
        "the pupil number is missing. Fill it in; without it the pupil cannot be enrolled.",
    ),
    "student-number-too-long": (
        "error",
        "het leerlingnummer '{value}' is langer dan 20 tekens.",
        "the pupil number '{value}' is longer than 20 characters.",
    ),
    "group-missing": (
        "error",
        "de groep ontbreekt. Vul de groep (klas) van de leerling in.",
        "the group is missing. Fill in the pupil's group (class).",
    ),
    "group-changed-by-excel": (
        "error",
        "de groep '{value}' is door Excel veranderd in een datum of een getal (bijv. '5-6' in "
        "'5-jun', '1/2' in '0,5'). Zet de kolom in Excel op 'Tekst', typ de groepen opnieuw en "
        "upload het bestand opnieuw.",
        "the group '{value}' was changed by Excel into a date or a number (e.g. '5-6' into "
        "'5-jun', '1/2' into '0.5'). Set the column to 'Text' in Excel, type the groups again "
        "and upload the file again.",
    ),
    "group-code-too-long": (
        "error",
        "de groepscode '{value}' is langer dan 10 tekens.",
        "the group code '{value}' is longer than 10 characters.",
    ),
    "group-code-invalid-character": (
        "error",
        "de groepscode '{value}' bevat een teken dat niet mag ({chars}). Gebruik alleen letters, "
        "cijfers, spaties, punten of streepjes.",
        "the group code '{value}' contains a character that is not allowed ({chars}). Use "
        "letters, digits, spaces, dots or hyphens only.",
    ),
    "group-name-too-long": (
        "error",
        "de groepsnaam '{value}' is langer dan 30 tekens.",
        "the group name '{value}' is longer than 30 characters.",
    ),
    "year-group-invalid": (
        "error",
        "de jaargroep '{value}' is geen enkel cijfer van 0 tot en met 9.",
        "the year group '{value}' is not a single digit from 0 to 9.",
    ),
    "year-group-derived": (
        "warning",
        "in de combinatiegroepen {detail} staat geen jaargroep per leerling; die is afgeleid uit "
        "de geboortedatum (leeftijd op 1 oktober min 3, binnen de jaren van de groep). Voeg een "
        "kolom JAARGROEP toe als dat voor een leerling niet klopt.",
        "the combination groups {detail} give no year group per pupil; it was derived from the "
        "birth date (age on 1 October minus 3, within the group's years). Add a JAARGROEP "
        "column if that is wrong for a pupil.",
    ),
    "year-group-unknown": (
        "error",
        "de jaargroep is niet af te leiden uit groep '{value}'. Voeg een kolom JAARGROEP (of "
        "LEERJAAR) toe met één cijfer per leerling.",
        "the year group cannot be derived from group '{value}'. Add a JAARGROEP (or LEERJAAR) "
        "column with one digit per pupil.",
    ),
    "field-too-long": (
        "error",
        "'{value}' is langer dan {limit} tekens. De rij is niet verwerkt; kort de naam in of "
        "controleer of de kolommen kloppen.",
        "'{value}' is longer than {limit} characters. The row was not processed; shorten the "
        "name or check that the columns are right.",
    ),
    "field-too-long-dropped": (
        "warning",
        "'{value}' is langer dan {limit} tekens en is weggelaten; de leerling is wel verwerkt.",
        "'{value}' is longer than {limit} characters and was left out; the pupil was processed.",
    ),
    "name-missing": (
        "error",
        "roepnaam en voorletters ontbreken allebei. Vul minstens een van de twee in.",
        "both first name and initials are missing. Fill in at least one of them.",
    ),
    "surname-missing": ("error", "de achternaam ontbreekt.", "the surname is missing."),
    "birth-date-invalid": (
        "warning",
        "'{value}' is geen geldige geboortedatum (gebruik dd-mm-jjjj). De leerling wordt "
        "ingelezen zonder geboortedatum.",
        "'{value}' is not a valid birth date (use dd-mm-yyyy). The pupil is read without a birth "
        "date.",
    ),
    "birth-date-ambiguous": (
        "warning",
        "de geboortedatum '{value}' heeft een jaartal van twee cijfers. Gebruik vier cijfers "
        "(dd-mm-jjjj). De leerling wordt ingelezen zonder geboortedatum.",
        "the birth date '{value}' has a two-digit year. Use four digits (dd-mm-yyyy). The pupil "
        "is read without a birth date.",
    ),
    "birth-date-month-first": (
        "warning",
        "de geboortedatums in deze kolom lijken met de maand vóór de dag geschreven (zoals "
        "11/25/2013); daarom is '{value}' niet gebruikt. De leerling is verwerkt zonder "
        "geboortedatum. Exporteer de datums als dd-mm-jjjj.",
        "the birth dates in this column seem written month first (like 11/25/2013), so "
        "'{value}' was not used. The pupil was processed without a birth date. Export the "
        "dates as dd-mm-yyyy.",
    ),
    "birth-date-implausible": (
        "warning",
        "de geboortedatum '{value}' past niet bij een leerling van deze school (leeftijd {age}). "
        "Controleer de datum.",
        "the birth date '{value}' does not fit a pupil of this school (age {age}). Check the date.",
    ),
    "sex-unknown": (
        "warning",
        "geslacht '{value}' is onbekend (gebruik M, V of X). Het wordt leeg gelaten.",
        "sex '{value}' is not understood (use M, V or X). It is left empty.",
    ),
    "email-invalid": (
        "warning",
        "'{value}' is geen geldig e-mailadres; het wordt niet overgenomen.",
        "'{value}' is not a valid e-mail address; it is not used.",
    ),
    "postcode-invalid": (
        "warning",
        "'{value}' is geen geldige postcode (1234 AB); die wordt niet overgenomen.",
        "'{value}' is not a valid postcode (1234 AB); it is not used.",
    ),
    # --- across rows ---
    "wrong-school-brin": (
        "error",
        "dit bestand is van school {found}, maar het is aangeboden voor {name} ({brin}). Er is "
        "niets verwerkt. Kies de juiste school, of upload het bestand van {name}. Bij een "
        "fusie van scholen: verwijder de kolom met de oude BRIN en importeer met bevestiging.",
        "this file is from school {found}, but it was offered for {name} ({brin}). Nothing was "
        "processed. Choose the right school, or upload the file of {name}. For a school "
        "merger: remove the column with the old BRIN and import with confirmation.",
    ),
    "card-number-ignored": (
        "warning",
        "'{value}' is geen pasnummer van de bibliotheek (die hebben {length} cijfers en zijn nooit "
        "het leerlingnummer of de toegangspas van de school). Het is genegeerd; de leerling is "
        "wel verwerkt. Laat deze kolom leeg als u geen nieuwe bibliotheekpassen uitdeelt.",
        "'{value}' is not a library card number (those have {length} digits and are never the "
        "school's pupil number or access pass). It was ignored; the pupil was processed. Leave "
        "this column empty unless you hand out new library cards.",
    ),
    "duplicate-student-number": (
        "error",
        "leerlingnummer '{value}' staat vaker in het bestand (rijen {rows}). Geen van deze rijen "
        "is ingelezen; elk nummer mag maar één keer voorkomen.",
        "pupil number '{value}' occurs more than once (rows {rows}). None of these rows was "
        "read; each number may occur only once.",
    ),
    "duplicate-person": (
        "error",
        "dezelfde leerling (naam en geboortedatum) staat meer dan eens in het bestand, onder "
        "verschillende nummers (rij {rows}). Deze rijen zijn niet verwerkt; laat de school de "
        "dubbele inschrijving nakijken.",
        "the same pupil (name and birth date) is in the file more than once, under different "
        "numbers (rows {rows}). These rows were not processed; have the school check the "
        "double registration.",
    ),
    "duplicate-card-number": (
        "error",
        "pasnummer '{value}' staat vaker in het bestand (rijen {rows}).",
        "card number '{value}' occurs more than once (rows {rows}).",
    ),
    "group-code-conflict": (
        "error",
        "groepscode '{value}' heeft meerdere groepsnamen ({names}). Eén code hoort bij één naam.",
        "group code '{value}' has several group names ({names}). One code belongs to one name.",
    ),
    "group-name-conflict": (
        "error",
        "groepsnaam '{value}' heeft meerdere groepscodes ({codes}). Eén naam hoort bij één code.",
        "group name '{value}' has several group codes ({codes}). One name belongs to one code.",
    ),
}
CATALOGUE.update(VALIDATION)

SYNC: Final[dict[str, tuple[_S, str, str]]] = {
    "card-number-taken": (
        "error",
        "pasnummer '{value}' hoort bij een andere klant. De rij is niet verwerkt; controleer het "
        "pasnummer.",
        "card number '{value}' belongs to another customer. The row was not processed; check the "
        "card number.",
    ),
    "ambiguous-match": (
        "warning",
        "er zijn meerdere klanten met deze naam en geboortedatum; de leerling is niet "
        "ingeschreven om geen verkeerde klant te koppelen. Koppel de leerling met de hand: "
        "'leerlingimport report' noemt de kandidaten, 'leerlingimport customer link' koppelt.",
        "several customers have this name and birth date; the pupil was not enrolled so as not "
        "to link the wrong customer. Link the pupil by hand: 'leerlingimport report' names the "
        "candidates, 'leerlingimport customer link' links.",
    ),
    "matched-by-personal-data": (
        "info",
        "gekoppeld aan een bestaande klant (klant {customer}) op naam en geboortedatum.",
        "linked to an existing customer (customer {customer}) by name and birth date.",
    ),
    "transferred": (
        "info",
        "de leerling stond ingeschreven op een andere school; die inschrijving is beëindigd en de "
        "schoolpassen daar zijn geblokkeerd.",
        "the pupil was enrolled at another school; that enrollment ended and the school cards "
        "there were blocked.",
    ),
    "leaver-with-loans": (
        "warning",
        "de leerling met pasnummer {card} staat niet meer in het bestand en heeft nog iets "
        "geleend (aantal: {loans}). Vraag de school of de leerling het terugbrengt.",
        "the pupil with card number {card} is no longer in the file and still has items on "
        "loan ({loans}). Ask the school to have the pupil return them.",
    ),
    "deregistration-held": (
        "warning",
        "{count} van de {active} actieve leerlingen zouden worden uitgeschreven; dat is meer dan "
        "de drempel van de school. De import is aangehouden: er is niemand uitgeschreven en "
        "niemand van een andere school overgeschreven. Controleer het bestand en importeer het "
        "opnieuw met bevestiging (--confirm-deregistration) als het klopt.",
        "{count} of {active} active pupils would be deregistered; that is above the school's "
        "threshold. The import was held: nobody was deregistered and nobody was transferred from "
        "another school. Check the file and import it again with confirmation "
        "(--confirm-deregistration) if it is right.",
    ),
    "transfers-held": (
        "warning",
        "{count} van de {active} actieve leerlingen van school {brin} zouden naar deze school "
        "overgaan; dat is meer dan de drempel van die school. Is dit het bestand van een andere "
        "school? De import is aangehouden: er is niemand overgeschreven of uitgeschreven. Bij een "
        "fusie van scholen: importeer het bestand opnieuw met bevestiging "
        "(--confirm-deregistration).",
        "{count} of {active} active pupils of school {brin} would move to this school; that is "
        "above that school's threshold. Is this another school's file? The import was held: "
        "nobody was transferred or deregistered. For a school merger, import the file again "
        "with confirmation (--confirm-deregistration).",
    ),
    "held-partly-applied": (
        "warning",
        "nieuwe leerlingen en wijzigingen van leerlingen die blijven zijn wel verwerkt; alleen "
        "uitschrijven en overschrijven wachten op de bevestiging.",
        "new pupils and changes of pupils who stay were applied; only deregistering and "
        "transferring wait for the confirmation.",
    ),
    "older-file-held": (
        "warning",
        "bij {count} van de {active} leerlingen die blijven zou de jaargroep omlaag gaan: dit "
        "lijkt een ouder bestand (van vorig schooljaar). Er is niets verwerkt. Vraag de school "
        "om het bestand van dit schooljaar; klopt het toch, importeer het dan opnieuw met "
        "bevestiging.",
        "for {count} of the {active} pupils who stay the year group would go down: this looks "
        "like an older file (last school year's). Nothing was processed. Ask the school for "
        "this school year's file; if it is right after all, import it again with confirmation.",
    ),
    "same-file-again": (
        "warning",
        "dit bestand is op {when} al eens ingelezen voor deze school; wat daarna niet is "
        "veranderd, blijft zoals het is.",
        "this file was already imported for this school on {when}; what has not changed since "
        "stays as it is.",
    ),
    "foreign-file-held": (
        "warning",
        "maar {own} van de {rows} leerlingen in dit bestand staan bij ons al op {name} "
        "({brin}). Daarom is er helemaal niets verwerkt, ook geen nieuwe leerlingen. Controleer "
        "of dit het bestand van deze school is; klopt het (bijv. bij een fusie), importeer het "
        "dan opnieuw met bevestiging.",
        "only {own} of the {rows} pupils in this file are already at {name} ({brin}) in our "
        "records. So nothing at all was processed, not even new pupils. Check that this is "
        "this school's file; if it is (e.g. after a merger), import it again with "
        "confirmation.",
    ),
    "identity-mismatch": (
        "error",
        "dit nummer hoort in onze administratie bij een ander kind (pasnummer {card}): de naam "
        "of de geboortedatum verschilt. De rij is niet verwerkt en de gegevens van dat kind zijn "
        "niet gewijzigd. Heeft de school het nummer opnieuw uitgegeven, geef de leerling dan een "
        "eigen nummer; klopt de naam of geboortedatum bij ons niet, laat de bibliotheek die "
        "aanpassen.",
        "this number belongs to another child in our records (card number {card}): the name or "
        "the birth date differs. The row was not processed and that child's data was not "
        "changed. If the school reused the number, give the pupil a number of its own; if our "
        "name or birth date is wrong, have the library correct it.",
    ),
    "same-child-twice": (
        "error",
        "deze leerling staat ook in rij {other_row}, onder een ander nummer (zelfde naam en "
        "geboortedatum). De rij is niet verwerkt. Laat de school de dubbele inschrijving in "
        "haar administratie nakijken.",
        "this pupil is also in row {other_row}, under another number (same name and birth "
        "date). The row was not processed. Have the school check the double registration in "
        "its administration.",
    ),
    "wrong-school-file": (
        "error",
        "dit lijkt het bestand van een andere school: bij {count} van de {rows} rijen hoort het "
        "leerlingnummer of pasnummer bij ons bij een ander kind. Er is niets verwerkt. "
        "Controleer of dit het bestand is van {name} ({brin}).",
        "this looks like another school's file: in {count} of {rows} rows the pupil or card "
        "number belongs to another child in our records. Nothing was processed. Check that this "
        "is the file of {name} ({brin}).",
    ),
    "duplicate-student-key": (
        "warning",
        "in onze administratie hebben meerdere inschrijvingen van deze school hetzelfde "
        "leerlingnummer ({keys}), bijv. '0123' en '123' sinds voorloopnullen niet meer tellen. "
        "De actieve (of anders de nieuwste) inschrijving telt; laat de bibliotheek de andere "
        "nakijken.",
        "several enrollments of this school have the same pupil number in our records ({keys}), "
        "e.g. '0123' and '123' since leading zeros stopped counting. The active (or else the "
        "newest) enrollment counts; have the library check the others.",
    ),
}
CATALOGUE.update(SYNC)
