"""German catalogue: run after `pybabel extract` to refresh locales/de/LC_MESSAGES/messages.po.

    cd frontend && pybabel extract -F babel.cfg -o messages.pot --no-location . \
        && python locales/translate_de.py messages.pot
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

GERMAN = {
    "Auftrag": "Auftrag",
    "Skip to content": "Zum Inhalt springen",
    "Main navigation": "Hauptnavigation",
    "My mandates": "Meine Aufträge",
    "Sign out": "Abmelden",
    "Sign in": "Anmelden",
    "Auftrag: citizens commission their municipality.": "Auftrag: Bürgerinnen und Bürger beauftragen ihre Gemeinde.",
    "Dev mailbox": "Entwickler-Postfach",
    "Hello %(name)s,": "Hallo %(name)s,",
    "open this link to sign in to Auftrag. It works once, for %(minutes)s minutes:": "öffne diesen Link, um dich bei Auftrag anzumelden. Er gilt einmal, für %(minutes)s Minuten:",
    "Sign in to Auftrag": "Bei Auftrag anmelden",
    "If you did not ask for it, ignore this email.": "Wenn du ihn nicht angefordert hast, ignoriere diese E-Mail.",
    "Your sign-in link for Auftrag": "Dein Anmeldelink für Auftrag",
    "Not found": "Nicht gefunden",
    "Not possible right now": "Gerade nicht möglich",
    "Not allowed": "Nicht erlaubt",
    "Something is not right": "Etwas stimmt nicht",
    "Home": "Startseite",
    "Municipalities": "Gemeinden",
    "Commission your municipality": "Beauftrage deine Gemeinde",
    "Launch a mandate, gather co-signers, and follow the council's answer on a public timeline.": "Starte einen Bürgerauftrag, sammle Mitzeichnende und verfolge die Antwort des Rats auf einer öffentlichen Zeitleiste.",
    "No municipality has joined yet.": "Noch keine Gemeinde ist dabei.",
    "Launch a mandate": "Auftrag starten",
    "Launch a mandate in %(name)s": "Einen Auftrag in %(name)s starten",
    "Your mandate starts as a draft. Publish it when you are ready, and others can co-sign.": "Dein Auftrag beginnt als Entwurf. Veröffentliche ihn, wenn du so weit bist, dann können andere mitzeichnen.",
    "Please check these fields": "Bitte prüfe diese Felder",
    "Title": "Titel",
    "At most %(n)s characters, e.g. “Bürgerauftrag Energieeffizienz”.": "Höchstens %(n)s Zeichen, z. B. „Bürgerauftrag Energieeffizienz“.",
    "Summary": "Zusammenfassung",
    "One or two sentences, at most %(n)s characters.": "Ein oder zwei Sätze, höchstens %(n)s Zeichen.",
    "Full text": "Volltext",
    "Markdown: **bold**, lists, links. At most %(n)s characters.": "Markdown: **fett**, Listen, Links. Höchstens %(n)s Zeichen.",
    "District": "Stadtteil",
    "Whole municipality": "Ganze Gemeinde",
    "Topics": "Themen",
    "Up to five, separated by commas.": "Bis zu fünf, durch Kommas getrennt.",
    "Save draft": "Entwurf speichern",
    "Without SMTP_URL, emails are kept here instead of being sent. Demo and debug mode only.": "Ohne SMTP_URL landen E-Mails hier, statt verschickt zu werden. Nur im Demo- und Debug-Modus.",
    "To": "An",
    "No messages yet.": "Noch keine Nachrichten.",
    "Launched by %(name)s": "Gestartet von %(name)s",
    "Co-signers": "Mitzeichnende",
    "This is a draft only you and the council can see. Publish it to start collecting signatures.": "Dies ist ein Entwurf, den nur du und der Rat sehen. Veröffentliche ihn, um Unterschriften zu sammeln.",
    "Signatures are collected until %(date)s.": "Unterschriften werden bis %(date)s gesammelt.",
    "The council promised a first answer by %(date)s.": "Der Rat hat eine erste Antwort bis %(date)s zugesagt.",
    "You have co-signed this mandate.": "Du hast diesen Auftrag mitgezeichnet.",
    "Withdraw my signature": "Meine Unterschrift zurückziehen",
    "Confirm your email address to co-sign.": "Bestätige deine E-Mail-Adresse, um mitzuzeichnen.",
    "Co-sign this mandate": "Diesen Auftrag mitzeichnen",
    "You will be asked to sign in first.": "Du wirst zuerst gebeten, dich anzumelden.",
    "Actions": "Aktionen",
    "Council decision": "Entscheidung des Rats",
    "reason required": "Begründung erforderlich",
    "Reason, shown on the public timeline": "Begründung, sichtbar auf der öffentlichen Zeitleiste",
    "Save decision": "Entscheidung speichern",
    "The mandate": "Der Auftrag",
    "Timeline": "Zeitleiste",
    "Mandates in %(name)s": "Aufträge in %(name)s",
    "A mandate with %(quorum)s co-signers goes to the council, which promises a first answer within %(days)s days.": "Ein Auftrag mit %(quorum)s Mitzeichnenden geht an den Rat, der eine erste Antwort innerhalb von %(days)s Tagen zusagt.",
    "Filter mandates": "Aufträge filtern",
    "Search": "Suche",
    "Status": "Status",
    "All": "Alle",
    "Topic": "Thema",
    "Filter": "Filtern",
    "Mandates": "Aufträge",
    "No mandates match these filters.": "Keine Aufträge passen zu diesen Filtern.",
    "More mandates": "Weitere Aufträge",
    "Older mandates": "Ältere Aufträge",
    "Launched by me": "Von mir gestartet",
    "You have not launched a mandate yet.": "Du hast noch keinen Auftrag gestartet.",
    "Co-signed by me": "Von mir mitgezeichnet",
    "You have not co-signed a mandate yet.": "Du hast noch keinen Auftrag mitgezeichnet.",
    "We email you a sign-in link. No password needed. New here? The same link creates your account.": "Wir schicken dir einen Anmeldelink per E-Mail. Kein Passwort nötig. Neu hier? Derselbe Link legt dein Konto an.",
    "Email address": "E-Mail-Adresse",
    "Display name (new accounts)": "Anzeigename (neue Konten)",
    "Shown publicly instead of your email address.": "Wird öffentlich statt deiner E-Mail-Adresse gezeigt.",
    "Email me a sign-in link": "Anmeldelink per E-Mail senden",
    "Confirm to finish signing in on this device.": "Bestätige, um die Anmeldung auf diesem Gerät abzuschließen.",
    "Sign in now": "Jetzt anmelden",
    "Check your email": "Sieh in dein Postfach",
    "We sent a sign-in link to %(email)s. It works once, for 15 minutes.": "Wir haben einen Anmeldelink an %(email)s geschickt. Er gilt einmal, für 15 Minuten.",
    "Demo mode: no email leaves this machine.": "Demo-Modus: Keine E-Mail verlässt diesen Rechner.",
    "Open the dev mailbox": "Entwickler-Postfach öffnen",
    "of %(quorum)s signatures": "von %(quorum)s Unterschriften",
    "Signatures against the quorum": "Unterschriften im Verhältnis zum Quorum",
    "Draft": "Entwurf",
    "Collecting signatures": "Sammelt Unterschriften",
    "Submitted to the council": "Beim Rat eingereicht",
    "In review": "In Prüfung",
    "Accepted": "Angenommen",
    "In progress": "In Umsetzung",
    "Completed": "Erledigt",
    "Rejected": "Abgelehnt",
    "Withdrawn": "Zurückgezogen",
    "Expired": "Abgelaufen",
    "Publish for co-signing": "Zur Mitzeichnung veröffentlichen",
    "Withdraw mandate": "Auftrag zurückziehen",
    "Start review": "Prüfung beginnen",
    "Accept": "Annehmen",
    "Reject": "Ablehnen",
    "Start implementation": "Umsetzung beginnen",
    "Mark as completed": "Als erledigt markieren",
    "Mandate launched by %(name)s.": "Auftrag gestartet von %(name)s.",
    "a former member": "einem ehemaligen Mitglied",
    "%(percent)s%% of the quorum reached (%(count)s signatures).": "%(percent)s %% des Quorums erreicht (%(count)s Unterschriften).",
    "Quorum reached with %(count)s signatures: submitted to the council.": "Quorum mit %(count)s Unterschriften erreicht: beim Rat eingereicht.",
    "The signature period ended before the quorum was reached.": "Die Sammelfrist endete, bevor das Quorum erreicht war.",
    "Status: %(status)s.": "Status: %(status)s.",
    "by %(name)s": "von %(name)s",
}

# Messages of the domain and the forms, shown on pages through the same catalogue.
MESSAGES = {
    "Title must not be empty.": "Der Titel darf nicht leer sein.",
    "Title must be at most 120 characters.": "Der Titel darf höchstens 120 Zeichen lang sein.",
    "Summary must not be empty.": "Die Zusammenfassung darf nicht leer sein.",
    "Summary must be at most 500 characters.": "Die Zusammenfassung darf höchstens 500 Zeichen lang sein.",
    "Body must be at most 20000 characters.": "Der Volltext darf höchstens 20000 Zeichen lang sein.",
    "At most 5 topics.": "Höchstens 5 Themen.",
    "Each topic must be at most 40 characters.": "Jedes Thema darf höchstens 40 Zeichen lang sein.",
    "This district does not exist in this municipality.": "Diesen Stadtteil gibt es in dieser Gemeinde nicht.",
    "The mandate has invalid fields.": "Der Auftrag hat ungültige Felder.",
    "Enter a valid email address.": "Gib eine gültige E-Mail-Adresse ein.",
    "Display name must be at most 80 characters.": "Der Anzeigename darf höchstens 80 Zeichen lang sein.",
    "This sign-in link is invalid, already used or expired. Request a new one.": "Dieser Anmeldelink ist ungültig, schon benutzt oder abgelaufen. Fordere einen neuen an.",
    "The form expired. Reload the page and try again.": "Das Formular ist abgelaufen. Lade die Seite neu und versuche es noch einmal.",
    "This mandate is not open for signatures.": "Dieser Auftrag nimmt keine Unterschriften an.",
    "Signatures can only be withdrawn while the mandate is collecting.": "Unterschriften lassen sich nur zurückziehen, solange der Auftrag sammelt.",
    "The initiator's signature stands; withdraw the mandate instead.": "Die Unterschrift der Person, die den Auftrag gestartet hat, bleibt; zieh stattdessen den Auftrag zurück.",
    "Someone else changed this mandate a moment ago; reload and try again.": "Jemand hat diesen Auftrag gerade geändert; lade die Seite neu und versuche es noch einmal.",
    "Only people with a verified email address may co-sign.": "Nur wer die E-Mail-Adresse bestätigt hat, kann mitzeichnen.",
    "Only people with a verified email address may launch a mandate.": "Nur wer die E-Mail-Adresse bestätigt hat, kann einen Auftrag starten.",
    "This decision needs a reason.": "Diese Entscheidung braucht eine Begründung.",
    "The database is unreachable; try again shortly.": "Die Datenbank ist gerade nicht erreichbar; versuche es gleich noch einmal.",
    "This mandate does not exist.": "Diesen Auftrag gibt es nicht.",
    "This municipality does not exist.": "Diese Gemeinde gibt es nicht.",
    "Unknown status.": "Unbekannter Status.",
    "Malformed cursor; use the `next` value of a list.": "Ungültige Seitenmarke; folge dem Link zur nächsten Seite.",
    "Text must not contain NUL characters.": "Der Text darf keine NUL-Zeichen enthalten.",
}


def main(template: str) -> int:
    with open(template, "rb") as fh:
        catalog = read_po(fh, locale="de")
    for msgid in MESSAGES:
        catalog.add(msgid)
    translations = {**GERMAN, **MESSAGES}
    missing = [m.id for m in catalog if m.id and m.id not in translations]
    for message in catalog:
        if message.id:
            message.string = translations.get(message.id, "")
    target = Path(__file__).parent / "de" / "LC_MESSAGES" / "messages.po"
    with target.open("wb") as fh:
        write_po(fh, catalog, omit_header=False)
    for msgid in missing:
        print(f"untranslated: {msgid!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
