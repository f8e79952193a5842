"""The wording of the appointment letter, in English and German (formal "Sie").

Strings are reportlab paragraph markup after ``str.format``; values are escaped before they go in.
"""

from __future__ import annotations

LETTER = {
    "en": {
        "salutation_female": "Dear Ms {family},",
        "salutation_male": "Dear Mr {family},",
        "salutation_other": "Dear {given} {family},",
        "subject": "Your appointment on {date}: {procedure}",
        "intro": (
            "We have booked the appointment below for you. Please read this letter and the enclosed "
            "information sheet carefully and keep both until the day of your procedure."
        ),
        "date": "Date",
        "time": "Procedure time",
        "arrive": "Please arrive at",
        "arrive_value": "{time} ({minutes} minutes before the procedure, for registration)",
        "where": "Where",
        "where_default": "Please report to reception. Your procedure takes place in room {room}.",
        "until": "Expected end",
        "until_value": "about {time}, after a rest under observation",
        "reference": "Reference",
        "reference_value": "{reference} (please quote it when you call us)",
        "bring": "Please bring",
        "bring_items": [
            "your earlier X-ray, CT or MRI images (for example on CD) with their reports",
            "the referral from your doctor",
            "an up-to-date list of all the medicines you take, including blood thinners",
            "your health insurance card",
        ],
        "meds": "Your blood-thinning medicines",
        "hold": "<b>{drug}</b>: take the last dose on <b>{last}</b>. Take it again from <b>{restart}</b>.",
        "hold_no_restart": "<b>{drug}</b>: take the last dose on <b>{last}</b>. We will tell you after "
        "the procedure when to take it again.",
        "inr": " Your INR needs to be checked shortly before the procedure; please arrange this with your doctor.",
        "shared": "<b>{drug}</b>: please discuss with your prescriber whether to pause it before the procedure. "
        "Do not stop it on your own.",
        "no_hold": "<b>{drug}</b>: no pause is needed; take it as usual.",
        "no_rule": "<b>{drug}</b>: please discuss with your prescriber; we will also be in touch about it.",
        "meds_note": (
            "Do not stop or change any of these medicines until you have agreed it with the doctor who "
            "prescribed them. If that is not possible in time, please call us."
        ),
        "meds_none": (
            "According to our records you take no blood-thinning medicines. If that is not correct, please "
            "call us straight away."
        ),
        "after": "On the day of the procedure",
        "after_text": (
            "You must not drive a car or ride a bicycle, and should not operate machines, for the rest of the "
            "day. Please arrange for an adult to collect you and take you home."
        ),
        "change": "If you cannot come",
        "change_text": (
            "If you cannot keep this appointment or need a different time, please call us as early as "
            "possible on {phone}, so that another patient can have the time. Please also call if you have a "
            "fever or an infection before the appointment."
        ),
        "online": (
            "Online, up to 24 hours",
            "before: your personal link.",
            "It opens with your date",
            "of birth. Please do not",
            "pass it on.",
        ),
        "online_text": ("Online: {url}"),
        "closing": "Kind regards",
        "letter_date": "Letter date",
        "appointment": "Appointment",
        "number": "Clinic number",
        "phone": "Telephone",
        "time_suffix": "",
    },
    "de": {
        "salutation_female": "Sehr geehrte Frau {family},",
        "salutation_male": "Sehr geehrter Herr {family},",
        "salutation_other": "Guten Tag {given} {family},",
        "subject": "Ihr Termin am {date}: {procedure}",
        "intro": (
            "für Sie ist der folgende Termin reserviert. Bitte lesen Sie diesen Brief und das beiliegende "
            "Informationsblatt in Ruhe durch und bewahren Sie beides bis zum Tag des Eingriffs auf."
        ),
        "date": "Datum",
        "time": "Uhrzeit des Eingriffs",
        "arrive": "Bitte kommen Sie um",
        "arrive_value": "{time} ({minutes} Minuten vor dem Eingriff, zur Anmeldung)",
        "where": "Wohin",
        "where_default": "Bitte melden Sie sich am Empfang. Ihr Eingriff findet im Raum {room} statt.",
        "until": "Voraussichtliches Ende",
        "until_value": "gegen {time}, nach einer Ruhezeit unter Beobachtung",
        "reference": "Terminnummer",
        "reference_value": "{reference} (bitte bei Anrufen angeben)",
        "bring": "Bitte bringen Sie mit",
        "bring_items": [
            "Ihre früheren Röntgen-, CT- oder MRT-Aufnahmen (zum Beispiel auf CD) mit den Befunden",
            "die Überweisung Ihrer Ärztin oder Ihres Arztes",
            "eine aktuelle Liste aller Medikamente, die Sie einnehmen, auch der Blutverdünner",
            "Ihre Gesundheitskarte (Versichertenkarte)",
        ],
        "meds": "Ihre blutverdünnenden Medikamente",
        "hold": "<b>{drug}</b>: letzte Einnahme am <b>{last}</b>. Wieder einnehmen ab <b>{restart}</b>.",
        "hold_no_restart": "<b>{drug}</b>: letzte Einnahme am <b>{last}</b>. Wann Sie es wieder einnehmen, "
        "besprechen wir nach dem Eingriff mit Ihnen.",
        "inr": " Kurz vor dem Eingriff muss Ihr INR-Wert bestimmt werden; bitte vereinbaren Sie das mit Ihrer "
        "Arztpraxis.",
        "shared": "<b>{drug}</b>: Bitte besprechen Sie mit Ihrer verordnenden Ärztin oder Ihrem verordnenden "
        "Arzt, ob das Medikament vor dem Eingriff pausiert werden soll. Setzen Sie es nicht eigenmächtig ab.",
        "no_hold": "<b>{drug}</b>: Eine Pause ist nicht nötig; nehmen Sie es wie gewohnt ein.",
        "no_rule": "<b>{drug}</b>: Bitte besprechen Sie das Vorgehen mit Ihrer verordnenden Ärztin oder Ihrem "
        "verordnenden Arzt; wir melden uns dazu ebenfalls bei Ihnen.",
        "meds_note": (
            "Bitte setzen Sie keines dieser Medikamente ab und ändern Sie keine Dosis, bevor Sie das mit der "
            "Ärztin oder dem Arzt abgestimmt haben, die oder der es Ihnen verordnet hat. Gelingt das nicht "
            "rechtzeitig, rufen Sie uns bitte an."
        ),
        "meds_none": (
            "Nach unseren Unterlagen nehmen Sie keine blutverdünnenden Medikamente ein. Sollte das nicht "
            "stimmen, rufen Sie uns bitte umgehend an."
        ),
        "after": "Am Tag des Eingriffs",
        "after_text": (
            "Sie dürfen für den Rest des Tages nicht selbst Auto oder Fahrrad fahren und sollten keine "
            "Maschinen bedienen. Bitte sorgen Sie dafür, dass eine erwachsene Begleitperson Sie abholt und "
            "nach Hause bringt."
        ),
        "change": "Wenn Sie nicht kommen können",
        "change_text": (
            "Können Sie den Termin nicht wahrnehmen oder brauchen Sie eine andere Zeit, rufen Sie uns bitte so "
            "früh wie möglich unter {phone} an. So können wir den Termin an andere Patientinnen und Patienten "
            "vergeben. Bitte melden Sie sich auch, wenn Sie vor dem Termin Fieber oder eine Infektion bekommen."
        ),
        "online": (
            "Online, bis 24 Stunden",
            "vorher: Ihr persönlicher",
            "Link. Er öffnet sich mit",
            "Ihrem Geburtsdatum. Bitte",
            "nicht weitergeben.",
        ),
        "online_text": ("Online: {url}"),
        "closing": "Mit freundlichen Grüßen",
        "letter_date": "Datum",
        "appointment": "Termin",
        "number": "Patientennummer",
        "phone": "Telefon",
        "time_suffix": " Uhr",
    },
}
