#!/usr/bin/env python3
"""Deterministic generator of synthetic e-mail messages shaped like the Enron
corpus, one JSON object per line on stdout.

    python3 bench/gen-email.py [COUNT [SEED]]      (defaults: 10000, 1)

Same COUNT and SEED give byte-identical output (any Python 3.6+); the first K
messages of a run with COUNT >= K are the same as a run with COUNT = K.

Fields of each object, in this order:
    id       Message-ID, e.g. "<1234567.1075840000000.JavaMail.evans@thyme>"
    from     sender address
    to       list of 1..8 recipient addresses
    cc       list of 0..4 addresses
    subject  may be empty, may carry "RE: " / "FW: " prefixes
    date     RFC 2822 date between 1999 and 2002, e.g.
             "Tue, 14 Nov 2000 08:22:00 -0800 (PST)"
    body     plain text, paragraphs separated by blank lines; replies and
             forwards quote an "-----Original Message-----" block
    folder   mailbox folder, e.g. "inbox", "sent_items", "deal_discrepancies"
    user     mailbox owner, e.g. "smith-j" (Enron's directory naming)

All people, companies and numbers are synthetic.  30% of the messages are
drawn from text that mentions deals and meetings (about 22% of all
messages match the default, case-sensitive filter "meeting|deal" of
bench/ref/email.py); the rest never contain "meeting" or "deal" in any case.
"""
import datetime
import json
import random
import re
import string
import sys

FIRST = """james john robert michael william david richard joseph thomas charles
christopher daniel matthew anthony mark donald steven paul andrew joshua kenneth
kevin brian george timothy ronald edward jason jeffrey ryan jacob gary nicholas
eric jonathan stephen larry justin scott brandon benjamin samuel gregory
alexander frank patrick raymond jack dennis jerry tyler aaron jose adam nathan
henry douglas zachary peter kyle mary patricia jennifer linda elizabeth barbara
susan jessica sarah karen lisa nancy betty margaret sandra ashley kimberly emily
donna michelle carol amanda dorothy melissa deborah stephanie rebecca sharon
laura cynthia kathleen amy angela shirley anna brenda pamela emma nicole helen
samantha katherine christine debra rachel carolyn janet catherine maria heather
diane ruth julie olivia joyce virginia victoria kelly lauren christina joan
evelyn judith megan andrea cheryl hannah jacqueline martha gloria teresa""".split()

LAST = """smith johnson williams brown jones garcia miller davis rodriguez martinez
hernandez lopez gonzalez wilson anderson thomas taylor moore jackson martin lee
perez thompson white harris sanchez clark ramirez lewis robinson walker young
allen king wright scott torres nguyen hill flores green adams nelson baker hall
rivera campbell mitchell carter roberts gomez phillips evans turner diaz parker
cruz edwards collins reyes stewart morris morales murphy cook rogers gutierrez
ortiz morgan cooper peterson bailey reed kelly howard ramos kim cox ward
richardson watson brooks chavez wood james bennett gray mendoza ruiz hughes price
alvarez castillo sanders patel myers long ross foster jimenez powell jenkins
perry russell sullivan bell coleman butler henderson barnes gonzales fisher
vasquez simmons romero jordan patterson alexander hamilton graham reynolds
griffin wallace moreno west cole hayes bryant herrera gibson ellis tran medina
aguilar stevens murray ford castro marshall owens harrison fernandez mcdonald
woods washington kennedy wells vargas henry chen freeman webb tucker guzman
burns crawford olson simpson porter hunter gordon mendez silva shaw snyder mason
dixon munoz hunt hicks holmes palmer wagner black robertson boyd rose stone
salazar fox warren mills meyer rice schmidt garza daniels ferguson nichols
stephens soto weaver ryan gardner payne grant dunn kelley spencer hawkins""".split()

DOMAINS_EXTERNAL = """aol.com hotmail.com yahoo.com msn.com earthlink.net
dynegy.com reliantenergy.com elpaso.com williams.com duke-energy.com
aep.com calpine.com mirant.com txu.com pge.com sempra.com kinder-morgan.com
bakerbotts.com vinson-elkins.com andersen.com jpmorgan.com citi.com
gs.com ubs.com cera.com ferc.fed.us caiso.com nymex.com""".split()

FOLDERS = [
    ("inbox", 30), ("sent_items", 14), ("_sent_mail", 12), ("deleted_items", 10),
    ("all_documents", 10), ("discussion_threads", 8), ("notes_inbox", 5),
    ("calendar", 3), ("deal_discrepancies", 2), ("california", 2), ("logistics", 2),
    ("personal", 2), ("projects", 2), ("meetings", 1), ("tw_commercial_group", 1),
    ("risk_management", 1), ("regulatory", 1), ("archiving", 1),
]

SUBJECT_TOPICS = """Gas Deal, Power Deal Confirmation, Meeting Tomorrow, Conference Call,
Weekly Update, Updated Curve, Q3 Forecast, Budget Review, Contract Draft,
Storage Agreement, Transport Capacity, Credit Line, ISDA Master, Term Sheet,
Trade Recap, Position Report, Deal Ticket, Staff Meeting, Offsite Agenda,
Interview Schedule, Expense Report, Org Announcement, Pipeline Outage,
Nomination Changes, Imbalance, Invoice, Price Cap Proposal, FERC Filing,
Legal Review, EOL Launch, Password Reset, Holiday Party, Lunch, Quick Question,
Draft Presentation, Risk Limits, VaR Report, Daily Positions, Deal Entry,
Capacity Release, Counterparty Approval, Org Chart, Project Status,
Meeting Notes, Follow Up, Site Visit, Schedule Change, Rate Case, Tariff,
Settlement Agreement, Due Diligence, Valuation Model""".replace("\n", " ").split(", ")

HUBS = "Henry Hub,Waha,Chicago Citygate,SoCal Border,PG&E Citygate,Permian,Katy,Transco Z6,NGPL Midcon,Palo Verde,Mid-C,COB".split(",")
DAYS = "Mon Tue Wed Thu Fri Sat Sun".split()
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

# Sentence templates; {x} fields are filled per sentence.
SENTENCES = """Please see the attached file and let me know if you have any questions.
I spoke with {name} this morning and {pron} agreed to the revised terms.
Can we schedule a meeting for {day} at {hour} to go over the numbers?
The deal was entered in the system as {deal} at {price} for {vol} MMBtu/d.
We need to finalize the {topic} before the end of the month.
{Name} will be out of the office until {day}; please forward anything urgent to me.
The volumes at {hub} were cut again last night because of the pipeline maintenance.
Attached is the latest version of the {topic} with my comments in red.
Thanks for your help on this.
I think we should hold off on signing until legal has reviewed the language.
The counterparty has asked for a credit line of ${amt} million, which is above our limit.
Let's plan on a conference call with {name} and the desk tomorrow.
Our position at {hub} is now long {vol} MMBtu/d for {month}.
The price curve for {month} was marked at {price}, up from {price2} last week.
Please review the deal ticket for {deal} and confirm the volume and price.
I left a message for {name} but have not heard back yet.
The meeting with the regulators has been moved to {day} at {hour}.
We have agreed on the general terms but the deal is not yet final.
Could you send me the spreadsheet you used for the {topic}?
This should be treated as confidential.
As discussed, the fee will be {price} per MMBtu on all volumes delivered.
I will be in Houston next week if you want to get together.
The schedulers need the nominations by 10:00 am for gas day {month} {dnum}.
Per our discussion, I have updated the model to reflect the new assumptions.
Let me know if this works for you.
We closed the trade with {company} at {price} for the balance of the month.
The group meeting is cancelled this week.
{Name} asked whether we could move the deal to the new contract.
There is a discrepancy between our records and the invoice for {month}.
Please make sure the deal is booked to the correct book before 5 pm.
I agree with your approach.
FYI - see below.
The market was very volatile today and we were out of the money by ${amt} million at the close.
Please plan to attend the staff meeting on {day} in room {room}.
We still need signatures from {company} on the confirmation.
Sorry for the delay in getting back to you.
The numbers look fine to me.
I have not been able to get the report to run; can someone from IT take a look?
They want to restructure the deal as a swap with a {years} year term.
Please call me on my cell at 713-{ph1}-{ph2}.""".split("\n")

PRONOUNS = ["he", "she"]
COMPANIES = "Dynegy,Reliant,El Paso,Williams,Duke,Calpine,Mirant,TXU,PG&E,Sempra,Aquila,Coral,BP,Shell,Texaco,Conoco,Koch,Cinergy,Constellation,Morgan Stanley".split(",")
GREETINGS = ["", "", "Hi {first},\n\n", "{First},\n\n", "{First} -\n\n", "All,\n\n", "Team,\n\n"]
CLOSINGS = ["", "\n\nThanks,\n{sfirst}", "\n\n{sfirst}", "\n\nRegards,\n{sFirst} {sLast}",
            "\n\nThanks\n{sFirst}", "\n\n-{sfirst}"]


KEYWORDS = re.compile("meeting|deal")
KEYWORD_SHARE = 0.3


def split_template(t):
    """"a {x} b {y} c" -> (["a ", " b ", " c"], ["x", "y"])"""
    literals, names = [], []
    for lit, name, _, _ in string.Formatter().parse(t):
        literals.append(lit)
        if name is not None:
            names.append(name)
    if len(literals) == len(names):
        literals.append("")
    return literals, names


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    r = rng.randrange(total)
    for v, w in pairs:
        if r < w:
            return v
        r -= w
    return pairs[-1][0]


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        rng = self.rng
        # A fixed population: ~2000 internal people, ~800 external contacts.
        self.people = []
        seen = set()
        while len(self.people) < 2000:
            f, l = rng.choice(FIRST), rng.choice(LAST)
            if (f, l) in seen:
                continue
            seen.add((f, l))
            self.people.append((f, l, "%s.%s@enron.com" % (f, l)))
        self.external = []
        for _ in range(800):
            f, l = rng.choice(FIRST), rng.choice(LAST)
            style = rng.randrange(3)
            local = (f[0] + l) if style == 0 else ("%s.%s" % (f, l)) if style == 1 else ("%s%d" % (f, rng.randrange(10, 99)))
            self.external.append((f, l, "%s@%s" % (local, rng.choice(DOMAINS_EXTERNAL))))
        # Mailbox owners: a subset of the internal people (Enron had ~150).
        self.owners = rng.sample(range(len(self.people)), 150)
        self.mid = rng.randrange(100000, 999999)
        # Sentence templates split into literal text and field names, in two
        # pools: with and without the words "meeting"/"deal".  A message is
        # "about a deal or meeting" with probability KEYWORD_SHARE; only such
        # messages draw from the keyword pool (and from all subject topics).
        parsed = [split_template(t) for t in SENTENCES]
        self.keyword_templates = parsed
        self.neutral_templates = [p for p, t in zip(parsed, SENTENCES) if not KEYWORDS.search(t)]
        self.neutral_topics = [t for t in SUBJECT_TOPICS if not KEYWORDS.search(t.lower())]
        self.templates = self.neutral_templates
        self.topics = self.neutral_topics

    def person(self):
        rng = self.rng
        if rng.random() < 0.8:
            return self.people[rng.randrange(len(self.people))]
        return self.external[rng.randrange(len(self.external))]

    def date(self):
        rng = self.rng
        y = weighted(rng, [(1999, 1), (2000, 4), (2001, 9), (2002, 1)])
        m = rng.randrange(12)
        d = rng.randrange(MONTH_DAYS[m]) + 1
        dow = DAYS[datetime.date(y, m + 1, d).weekday()]
        hh, mm = rng.randrange(6, 22), rng.randrange(0, 60)
        dst = 3 <= m <= 9
        tz = "-0500 (CDT)" if (dst and rng.random() < 0.3) else ("-0700 (PDT)" if dst else "-0800 (PST)")
        return "%s, %d %s %d %02d:%02d:00 %s" % (dow, d, MONTHS[m], y, hh, mm, tz), (y, m, d)

    def field(self, name):
        rng = self.rng
        if name in ("name", "Name"):
            p = self.person()
            return "%s %s" % (p[0].capitalize(), p[1].capitalize()) if name == "name" else p[0].capitalize()
        if name == "pron":
            return rng.choice(PRONOUNS)
        if name == "day":
            return rng.choice(DAYS[:5])
        if name == "hour":
            return "%d:%02d" % (rng.randrange(8, 17), rng.choice((0, 15, 30)))
        if name == "deal":
            return "%d%s" % (rng.randrange(100000, 999999), rng.choice(("", ".1", ".2")))
        if name in ("price", "price2"):
            return "%.2f" % (rng.randrange(150, 1200) / 100.0)
        if name == "vol":
            return str(rng.choice((5000, 10000, 15000, 20000, 25000, 50000)))
        if name == "topic":
            return rng.choice(self.topics).lower()
        if name == "hub":
            return rng.choice(HUBS)
        if name == "amt":
            return str(rng.randrange(5, 250))
        if name == "month":
            return rng.choice(MONTHS)
        if name == "dnum":
            return str(rng.randrange(1, 29))
        if name == "company":
            return rng.choice(COMPANIES)
        if name == "room":
            return "EB%d%02d" % (rng.randrange(8, 50), rng.randrange(1, 60))
        if name == "years":
            return str(rng.choice((1, 2, 3, 5, 10)))
        if name == "ph1":
            return str(rng.randrange(200, 999))
        if name == "ph2":
            return str(rng.randrange(1000, 9999))
        raise KeyError(name)

    def sentence(self):
        literals, names = self.rng.choice(self.templates)
        if not names:
            return literals[0]
        parts = [literals[0]]
        for name, lit in zip(names, literals[1:]):
            parts.append(self.field(name))
            parts.append(lit)
        return "".join(parts)

    def paragraph(self):
        return " ".join(self.sentence() for _ in range(1 + int(self.rng.expovariate(1 / 2.0))))

    def text(self, sender, to):
        rng = self.rng
        n = 1 + min(12, int(rng.expovariate(1 / 1.5)))
        body = "\n\n".join(self.paragraph() for _ in range(n))
        greet = rng.choice(GREETINGS).format(first=to[0], First=to[0].capitalize())
        close = rng.choice(CLOSINGS).format(sfirst=sender[0], sFirst=sender[0].capitalize(),
                                            sLast=sender[1].capitalize())
        return greet + body + close

    def message(self, i):
        rng = self.rng
        owner = self.people[self.owners[rng.randrange(len(self.owners))]]
        folder = weighted(rng, FOLDERS)
        sent = folder in ("sent_items", "_sent_mail")
        sender = owner if sent else self.person()
        nto = 1 + min(7, int(rng.expovariate(1 / 1.2)))
        to = [self.person() for _ in range(nto)]
        if not sent and rng.random() < 0.7:
            to[0] = owner
        cc = [self.person() for _ in range(min(4, int(rng.expovariate(1.5))))]
        date, _ = self.date()
        if rng.random() < KEYWORD_SHARE:
            self.templates, self.topics = self.keyword_templates, SUBJECT_TOPICS
        else:
            self.templates, self.topics = self.neutral_templates, self.neutral_topics
        topic = rng.choice(self.topics)
        kind = rng.random()
        subject = topic if rng.random() > 0.05 else ""
        body = self.text(sender, to[0])
        if kind < 0.25 or kind > 0.9:  # reply (or forward) quoting an earlier message
            prior = self.person()
            pdate, _ = self.date()
            quoted = self.text(prior, sender)
            subject = ("RE: " if kind < 0.25 else "FW: ") + subject
            body += ("\n\n -----Original Message-----\nFrom: \t%s %s  \nSent:\t%s\nTo:\t%s\nSubject:\t%s\n\n%s"
                     % (prior[0].capitalize(), prior[1].capitalize(), pdate, sender[2], topic, quoted))
        self.mid += rng.randrange(1, 5000)
        uid = "%s-%s" % (owner[1], owner[0][0])
        return {
            "id": "<%d.%d.JavaMail.evans@thyme>" % (self.mid, 1075840000000 + i * 7919 % 9999999),
            "from": sender[2],
            "to": [p[2] for p in to],
            "cc": [p[2] for p in cc],
            "subject": subject,
            "date": date,
            "body": body,
            "folder": folder,
            "user": uid,
        }


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    gen = Gen(seed)
    out = sys.stdout
    buf = []
    for i in range(count):
        buf.append(json.dumps(gen.message(i)))
        if len(buf) >= 1000:
            out.write("\n".join(buf) + "\n")
            buf.clear()
    if buf:
        out.write("\n".join(buf) + "\n")


if __name__ == "__main__":
    main()
