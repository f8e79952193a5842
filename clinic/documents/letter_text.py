"""The wording of the appointment letter, in English and German (formal "Sie").

Strings are reportlab paragraph markup after ``str.format``; values are escaped before they go in.
The medicines' sentences are in ``holds``. Clinical statements follow ../shared/clinical/procedures.md:
warning signs before the appointment §5 items 1-4 and §1.2; eating §2.1 and §2.3 (with diabetes
recorded: the patient calls us about the diabetes medicines (no list of ours would make a call of ours
happen), never a dose); MR safety §1.2.
"""

from __future__ import annotations

LETTER = {
    "en": {
        "salutation_female": "Dear Ms {family},",
        "salutation_male": "Dear Mr {family},",
        "salutation_other": "Dear {given} {family},",
        "subject": "Your appointment on {date}: {procedure}",
        "intro": (
            "we have arranged the following appointment for you. Please read this letter and the enclosed "
            "information sheet carefully and keep both until the day of your procedure."
        ),
        "procedure": "Procedure",
        "guided": "guided by {guidance}",
        "date": "Date",
        "time": "Procedure time",
        "arrive": "Please arrive at",
        "arrive_value": "{time} ({minutes} minutes before the procedure, for registration)",
        "where": "Place",
        "where_default": "Please report to reception; your procedure takes place in room {room}.",
        "until": "Expected end",
        "until_value": "about {time}, after a rest under observation",
        "reference": "Reference",
        "reference_value": "{reference} (please quote it when you call us)",
        "bring": "Please bring",
        "bring_items": [
            "your earlier X-ray, CT or MRI images (for example on CD) with their reports",
            "the referral from your doctor",
            "an up-to-date list of all the medicines you take",
            "your health insurance card",
        ],
        "food": "Eating and drinking",
        "food_light": "A light meal before the procedure is fine, and you may drink as usual.",
        "food_fast": (
            "Please do not eat anything from <b>{when}</b> on ({hours} hours before the procedure). If you are "
            "not sure what you may drink, please call us."
        ),
        "food_fast_passed": (
            "<b>Please do not eat anything more until after the procedure</b> (no food in the {hours} hours "
            "before it). If you have eaten since then, or are not sure what you may drink, please call us."
        ),
        "food_diabetes": (
            "You told us that you have diabetes. As you must not eat before the procedure, <b>please call us "
            "before the appointment</b> so that we can agree with you how to take your diabetes medicines "
            "(insulin or tablets) on that day."
        ),
        "food_diabetes_passed": (
            "If you take medicines for diabetes and we have not yet agreed with you how to take them today, "
            "please call us straight away."
        ),
        "mri": "Safety in the MRI scanner",
        "mri_text": (
            "Your procedure is guided by MRI, which uses a strong magnet. Please tell us before the appointment "
            "if you have a pacemaker or defibrillator, a nerve stimulator, a cochlear implant, metal splinters "
            "in your body or any other implant, and bring its implant card: some of them rule out MRI. Please "
            "also tell us if you are afraid of confined spaces."
        ),
        "meds": "Medicines that affect blood clotting",
        "meds_note": (
            "Do not stop or change any of these medicines until you have agreed it with the doctor who "
            "prescribed them. If that is not possible in time, please call us."
        ),
        "meds_none": (
            "According to our records you take no medicines that affect blood clotting. If that is not "
            "correct, please call us straight away."
        ),
        "warning": "Warning signs before the appointment",
        "warning_text": (
            "If before the appointment you notice <b>new weakness in a leg</b>, <b>new problems passing urine "
            "or controlling your bowels</b>, or <b>numbness around the genitals or anus</b> (the saddle area), "
            "go to an emergency department <b>the same day</b>; call {emergency} if you need help getting "
            "there. These signs need urgent care, not an injection. Please call us if you get a fever or an "
            "infection."
        ),
        "after": "On the day of the procedure",
        "after_text": (
            "You must not drive a car or ride a bicycle, and should not operate machines, for the rest of the "
            "day. Please arrange for an adult to collect you and take you home."
        ),
        "change": "If you cannot come",
        "change_text": (
            "If you cannot keep this appointment or need a different time, please call us as early as "
            "possible on {phone}, so that another patient can have the time."
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
        "at": "{date}, {time}",
    },
    "de": {
        "salutation_female": "Sehr geehrte Frau {family},",
        "salutation_male": "Sehr geehrter Herr {family},",
        "salutation_other": "Guten Tag {given} {family},",
        "subject": "Ihr Termin am {date}: {procedure}",
        "intro": (
            "wir haben für Sie folgenden Termin vereinbart. Bitte lesen Sie diesen Brief und das beiliegende "
            "Informationsblatt in Ruhe durch und bewahren Sie beides bis zum Tag des Eingriffs auf."
        ),
        "procedure": "Eingriff",
        "guided": "unter {guidance}-Kontrolle",
        "date": "Datum",
        "time": "Uhrzeit des Eingriffs",
        "arrive": "Bitte kommen Sie um",
        "arrive_value": "{time} ({minutes} Minuten vor dem Eingriff, zur Anmeldung)",
        "where": "Ort",
        "where_default": "Bitte melden Sie sich am Empfang; der Eingriff findet in Raum {room} statt.",
        "until": "Voraussichtliches Ende",
        "until_value": "gegen {time}, nach einer Ruhezeit unter Beobachtung",
        "reference": "Terminnummer",
        "reference_value": "{reference} (bitte bei Anrufen angeben)",
        "bring": "Bitte bringen Sie mit",
        "bring_items": [
            "Ihre früheren Röntgen-, CT- oder MRT-Aufnahmen (zum Beispiel auf CD) mit den Befunden",
            "die Überweisung Ihrer Ärztin oder Ihres Arztes",
            "eine aktuelle Liste aller Medikamente, die Sie nehmen",
            "Ihre Gesundheitskarte (Versichertenkarte)",
        ],
        "food": "Essen und Trinken",
        "food_light": "Vor dem Eingriff dürfen Sie eine leichte Mahlzeit essen und wie gewohnt trinken.",
        "food_fast": (
            "Bitte essen Sie ab <b>{when}</b> nichts mehr ({hours} Stunden vor dem Eingriff). Wenn Sie unsicher "
            "sind, was Sie trinken dürfen, rufen Sie uns bitte an."
        ),
        "food_fast_passed": (
            "<b>Bitte essen Sie bis nach dem Eingriff nichts mehr</b> (keine Mahlzeit in den {hours} Stunden "
            "davor). Haben Sie seitdem gegessen oder sind Sie unsicher, was Sie trinken dürfen, rufen Sie uns "
            "bitte an."
        ),
        "food_diabetes": (
            "Sie haben uns mitgeteilt, dass Sie Diabetes haben. Da Sie vor dem Eingriff nichts essen dürfen, "
            "<b>rufen Sie uns bitte vor dem Termin an</b>, damit wir mit Ihnen besprechen, wie Sie Ihre "
            "Diabetes-Medikamente (Insulin oder Tabletten) an diesem Tag nehmen."
        ),
        "food_diabetes_passed": (
            "Nehmen Sie Medikamente gegen Diabetes und haben wir mit Ihnen noch nicht besprochen, wie Sie sie "
            "heute nehmen, rufen Sie uns bitte sofort an."
        ),
        "mri": "Sicherheit im MRT",
        "mri_text": (
            "Ihr Eingriff wird im MRT durchgeführt, das mit einem starken Magneten arbeitet. Bitte sagen Sie "
            "uns vor dem Termin, ob Sie einen Herzschrittmacher oder Defibrillator, einen Nervenstimulator, ein "
            "Cochlea-Implantat, Metallsplitter im Körper oder ein anderes Implantat haben, und bringen Sie den "
            "Implantatausweis mit: Manche davon schließen eine MRT aus. Sagen Sie uns bitte auch, wenn Sie "
            "Angst in engen Räumen haben."
        ),
        "meds": "Medikamente, die die Blutgerinnung beeinflussen",
        "meds_note": (
            "Bitte setzen Sie keines dieser Medikamente ab und ändern Sie keine Dosis, bevor Sie das mit der "
            "Ärztin oder dem Arzt abgestimmt haben, die oder der es Ihnen verordnet hat. Gelingt das nicht "
            "rechtzeitig, rufen Sie uns bitte an."
        ),
        "meds_none": (
            "Nach unseren Unterlagen nehmen Sie keine Medikamente, die die Blutgerinnung beeinflussen. Sollte "
            "das nicht stimmen, rufen Sie uns bitte umgehend an."
        ),
        "warning": "Warnzeichen vor dem Termin",
        "warning_text": (
            "Bemerken Sie vor dem Termin eine <b>neue Schwäche in einem Bein</b>, <b>neue Probleme beim "
            "Wasserlassen oder beim Stuhlgang</b> oder ein <b>Taubheitsgefühl im Genital- oder Analbereich</b> "
            "(Reithosenbereich), gehen Sie bitte <b>noch am selben Tag</b> in eine Notaufnahme; brauchen Sie "
            "Hilfe, rufen Sie die {emergency}. Diese Zeichen brauchen rasche Hilfe, keine Spritze. Bekommen Sie "
            "Fieber oder eine Infektion, rufen Sie uns bitte an."
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
            "vergeben."
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
        "at": "{date}, um {time}",
    },
}
