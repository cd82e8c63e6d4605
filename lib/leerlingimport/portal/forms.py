"""The portal's forms (WTForms via Flask-WTF: every form carries a CSRF token), in Dutch."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from leerlingimport.credentials import MIN_PASSWORD_LENGTH

MAX_PASSWORD_LENGTH = 128
REQUIRED = "Vul dit veld in."
# Words anyone who knows the library would try first (AUTH-03).
OBVIOUS = ("bibliotheek", "wachtwoord", "welkom", "password", "1234567", "qwerty", "azerty")


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """(value, label) pairs as the choices of a SelectField."""
    return [SelectChoice(value, label) for value, label in pairs]


class LoginForm(FlaskForm):
    card = StringField(
        "Pasnummer",
        validators=[DataRequired(REQUIRED), Length(max=30)],
        render_kw={"autocomplete": "username", "inputmode": "numeric", "autofocus": True},
    )
    password = PasswordField(
        "Wachtwoord",
        validators=[DataRequired(REQUIRED), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Inloggen")


class PasswordForm(FlaskForm):
    current = PasswordField(
        "Huidig wachtwoord",
        validators=[Optional(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        "Nieuw wachtwoord",
        description=f"Minstens {MIN_PASSWORD_LENGTH} tekens; een zin van een paar woorden is goed.",
        validators=[
            DataRequired(REQUIRED),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Kies een wachtwoord van {MIN_PASSWORD_LENGTH} tot "
                f"{MAX_PASSWORD_LENGTH} tekens.",
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    repeat = PasswordField(
        "Herhaal nieuw wachtwoord",
        validators=[
            DataRequired(REQUIRED),
            EqualTo("new", message="De twee nieuwe wachtwoorden zijn niet gelijk."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Wachtwoord opslaan")

    def __init__(self, card: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.card = card

    def validate_new(self, field: Any) -> None:
        lowered = str(field.data or "").casefold()
        if self.card and self.card in lowered:
            raise ValidationError("Gebruik uw pasnummer niet in uw wachtwoord.")
        if any(word in lowered for word in OBVIOUS):
            raise ValidationError("Dit wachtwoord is te makkelijk te raden; kies een ander.")


class ActionForm(FlaskForm):
    """A button that changes something (logout, grant, revoke, start): only the CSRF token."""


class UploadForm(FlaskForm):
    school = SelectField("School", validate_choice=False)  # checked against the user's rights
    file = FileField(
        "Leerlingbestand",
        description="CSV, ODS, XLS, XLSX of ZIP, hoogstens 10 MB.",
        validators=[FileRequired("Kies een bestand.")],
        render_kw={"accept": ".csv,.ods,.xls,.xlsx,.zip"},
    )
    submit = SubmitField("Versturen")


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(
        "Pasnummer, naam of e-mailadres",
        validators=[DataRequired(REQUIRED), Length(min=2, max=100)],
        render_kw={"type": "search"},
    )


class CustomerForm(FlaskForm):
    card = StringField(
        "Pasnummer",
        default="V",
        description="V maakt een nieuw pasnummer; of scan een voorgedrukte pas.",
        validators=[DataRequired(REQUIRED), Length(max=20)],
        render_kw={"autocomplete": "off"},
    )
    first_name = StringField("Voornaam", validators=[Optional(), Length(max=50)])
    prefix = StringField("Tussenvoegsel", validators=[Optional(), Length(max=20)])
    surname = StringField("Achternaam", validators=[DataRequired(REQUIRED), Length(max=80)])
    sex = SelectField(
        "Geslacht",
        choices=options([("", "onbekend"), ("V", "vrouw"), ("M", "man"), ("X", "anders")]),
    )
    email = EmailField("E-mailadres (niet verplicht)", validators=[Optional(), Length(max=200)])
    username = StringField(
        "Gebruikersnaam (niet verplicht)", validators=[Optional(), Length(max=100)]
    )
    school = SelectField("School")
    group_code = StringField("Groep of klas", validators=[Optional(), Length(max=10)])
    street = StringField("Straat (adres van de school)", validators=[Optional(), Length(max=80)])
    house_number = StringField("Huisnummer", validators=[Optional(), Length(max=10)])
    postcode = StringField(
        "Postcode",
        validators=[Optional(), Regexp(r"^\d{4} ?[A-Za-z]{2}$", message="Postcode als 1234 AB.")],
    )
    city = StringField("Plaats", validators=[Optional(), Length(max=80)])
    library_member = BooleanField("Lid van de openbare bibliotheek", default=True)
    upload_branch = SelectField("Mag leerlinggegevens uploaden voor")
    submit = SubmitField("Klant aanmaken")


class BranchForm(FlaskForm):
    branch = SelectField("Vestiging")
    submit = SubmitField("Uploadrecht geven")


class LinkForm(FlaskForm):
    """Link an ambiguous row of a run to one of its candidates (``settling.link_row``)."""

    row = HiddenField(validators=[DataRequired(REQUIRED), Regexp(r"^\d{1,7}$")])
    card = HiddenField(validators=[DataRequired(REQUIRED), Length(max=30)])
