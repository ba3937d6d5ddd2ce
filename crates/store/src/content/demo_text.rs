//! The demo hub's words: a full public site for a Durham-like hub, true to DOMAIN.md.

/// (parent path or "", slug, title, summary, topics, body), parents before children,
/// in menu order.
pub(super) const PAGES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "",
        "about",
        "About the hub",
        "We are the music education hub for County Durham and Darlington: a partnership led by a charitable trust, funded by Arts Council England, so that every child can make music.",
        "partnerships, trust",
        "Every child in County Durham and Darlington should be able to sing, play and make music, whatever their ability or background. We are the organisation that makes that happen, with schools, families, arts organisations and the two local authorities.

## What we do

- **Lessons in school.** Our teachers give instrumental and vocal lessons in hundreds of schools, individually, in pairs and in small groups.
- **Whole-class ensemble teaching.** Whole classes, usually in Year 4, learn an instrument together for a year. It is free to families.
- **Ensembles.** Over 40 orchestras, bands, choirs and rock and jazz groups meet in the evenings and at weekends.
- **Instruments.** We lend instruments to pupils and schools, so that nobody has to buy one to start.
- **Training.** We train teachers and nursery staff to bring music into every school day.

## Our partnership

We publish a local plan for music education with our partners every year. It sets out how we reach children who face the biggest barriers: children with special educational needs and disabilities, children from low-income families, and children in care.

## Find out more

- [The trust that runs the hub](/about/the-trust)
- [Our trustees](/about/trustees)
- [Friends of the hub](/about/friends)
- [Working for us](/vacancies)",
    ),
    (
        "about",
        "the-trust",
        "The trust",
        "The hub is run by an independent charitable trust that grew out of the county council's music service.",
        "governance, trust",
        "The hub was the county council's music service for over forty years. In 2012 it became the lead organisation of the music education hub, and today it is run by an independent charitable trust.

The trust employs our teachers and office staff, owns the instrument library, and holds the grant from Arts Council England on behalf of the partnership. Its trustees set the hub's direction and make sure that public money is spent well.

## How we are funded

Most of our income comes from three places:

1. the hub grant from Arts Council England, which pays for first access, ensembles, inclusion work and the partnership;
2. schools, which buy lessons, whole-class teaching and training through our services for schools;
3. families, who pay for lessons their children take outside the curriculum, with reduced fees and remission for those who need them.

We publish our [annual report and accounts](/reports-and-policies) every year.",
    ),
    (
        "about",
        "trustees",
        "Our trustees",
        "Our trustees are volunteers who bring experience of schools, music, finance and safeguarding.",
        "governance, trustees",
        "The board of trustees meets six times a year. Trustees are unpaid and are appointed for three years at a time.

| Trustee | Role and experience |
|---|---|
| Margaret Hull | Chair. Former head teacher of a primary school in Chester-le-Street. |
| Dr Samuel Okafor | Vice chair. Senior lecturer in music education. |
| Priya Raman | Treasurer. Chartered accountant. |
| Tom Bell | Safeguarding lead trustee. Former designated safeguarding lead in a secondary school. |
| Helen Armstrong | Parent of two young musicians; runs a family business in Bishop Auckland. |
| Gareth Lowes | Principal conductor of a regional brass band. |

## Becoming a trustee

We welcome applications from people of every background, especially young people who have come through our ensembles. [Contact us](/contact) to ask about joining the board.",
    ),
    (
        "about",
        "friends",
        "Friends of the hub",
        "Friends of the hub is a group of parents and supporters who raise money for instruments, bursaries and concerts.",
        "fundraising, families",
        "Friends of the hub is a registered charity run by parents, former pupils and supporters. Every year it raises money through concerts, raffles and sponsored events.

What the Friends pay for:

- **Bursaries** for ensemble fees and residential courses, so that no child misses out because of cost;
- **Instruments** for the library, especially larger ones such as tubas, double basses and harps;
- **Concert costs**, including hall hire and transport for our county ensembles.

## Join the Friends

Membership is free. Friends receive a termly newsletter and first news of concerts. Ask at any ensemble rehearsal, or [send us a message](/contact).",
    ),
    (
        "",
        "service",
        "Our service",
        "What the hub does for children, families and schools, and how we measure it.",
        "service",
        "Our service follows the five jobs of a music education hub in the National Plan for Music Education: partnerships, schools, progression, inclusion and sustainability.

- [Mission and objectives](/service/mission)
- [Services for schools](/service/schools)
- [Training for school staff](/service/cpd)
- [Our staff](/service/staff)
- [Partners](/service/partners)
- [Achievements](/service/achievements)
- [Frequently asked questions](/faqs)
- [Reports and policies](/reports-and-policies)",
    ),
    (
        "service",
        "mission",
        "Mission and objectives",
        "Our mission is a high-quality music education for every child in County Durham and Darlington.",
        "mission, objectives, inclusion",
        "## Our mission

To give every child and young person in County Durham and Darlington the chance to sing, play an instrument and make music with others, and to go as far with music as they wish.

## Our objectives

1. **A high-quality offer for all.** Every school can buy or receive whole-class teaching, singing and curriculum support from us.
2. **First access and clear progression routes.** Every child meets an instrument in school; every child who wants to continue finds a next step: lessons, then an ensemble, then county or national level.
3. **Co-ordinated, quality-assured tuition and ensembles.** Our managers observe lessons and rehearsals every year, and every teacher has a development plan.
4. **Raising standards in schools.** We support class teachers and music leads with training, resources and a progress map for primary music.
5. **Recruiting and retaining teachers.** We train new teachers and keep experienced ones by paying fairly and investing in their development.
6. **Value for money.** We keep fees low, publish what we spend and report to Arts Council England every year.

## Inclusion

Children eligible for free school meals pay a reduced fee. Looked-after children are never charged. Our special schools programme brings music to every special school in the area, with adapted instruments and technology where they help.",
    ),
    (
        "service",
        "schools",
        "Services for schools",
        "Whole-class ensemble teaching, singing, curriculum support, instrumental lessons and training, bought as a package each year.",
        "schools, WCET, singing, curriculum",
        "Schools buy our services once a year through a services-for-schools application. The application is the contract for the year.

## Whole-class ensemble teaching (WCET)

A whole class learns an instrument together for a year, usually in Year 4: strings, brass, woodwind, ukulele or samba. Our teacher leads the session and the class teacher joins in, so that music carries on between visits.

- between 30 and 36 weekly sessions a year;
- instruments lent free of charge for the year;
- a sharing concert for families in the summer term;
- the cost is split across the year: 34% in the autumn term, 33% in the spring and 33% in the summer.

Council-maintained schools are charged by internal transfer; academies and schools outside the council receive an invoice.

## Singing

Weekly singing assemblies, a choir club, and our county-wide Young Voices-style festival each spring.

## Instrumental and vocal lessons

Lessons for pupils whose families request them, in school time. Parents apply and pay through their account, or the school pays for a group of pupils.

## Curriculum support

Planning, demonstration lessons and the [primary music progress map](/learning/progress-map) for each year group.

## Prices and booking

Prices are sent to schools each spring for the following year. School contacts can [log in](/login) to see their pupils' lessons and their invoices.",
    ),
    (
        "service",
        "cpd",
        "Training for school staff (CPD)",
        "Short courses and in-school support that help class teachers and nursery staff teach music with confidence.",
        "CPD, training, schools",
        "Most primary teachers are not music specialists, and they do not need to be. Our training gives them simple, reliable ways to bring music into every week.

## Courses this year

- **Singing every day** (twilight, 2 hours): warm-ups, songs for every year group and how to lead without an instrument.
- **Music for the new curriculum** (half day): planning a year of music with the progress map.
- **Music in the early years** (two twilights): songs, rhymes and movement for nursery and reception.
- **Ukulele for teachers** (three twilights): enough chords to accompany your class.
- **Music leads' network** (termly): news, ideas and moderation with other music leads.

Courses are free for schools that buy a services-for-schools package, and we record the training for each member of staff so that schools can show it in their reports.

[Contact us](/contact) to book a place or to arrange training at your school.",
    ),
    (
        "service",
        "staff",
        "Our staff",
        "About 150 teachers and a small office team work for the hub.",
        "staff, safeguarding",
        "Our teachers are experienced musicians: orchestral players, jazz musicians, singers and rock guitarists who also love teaching. Some are employed, some are sessional and some are self-employed.

Every teacher:

- holds an enhanced DBS check with a barred-list check, renewed or on the update service;
- completes safeguarding training every year;
- is observed teaching at least once a year by a senior teacher;
- keeps a record of their professional development.

## Senior team

| Name | Role |
|---|---|
| Catherine Dunn | Head of service |
| Mark Ellison | Deputy head: schools and partnerships |
| Aisha Khan | Deputy head: ensembles and progression |
| Julie Pattinson | Business and finance manager |
| Rob Heslop | Inclusion lead |

The hub office is in Durham and is open Monday to Friday, 8:30am to 4:30pm, in term time.",
    ),
    (
        "service",
        "partners",
        "Partners",
        "We work with schools, arts organisations, the two local authorities and national bodies.",
        "partnerships",
        "No single organisation can give every child a music education. Our partners make it possible.

- **Durham County Council and Darlington Borough Council** help us reach every school and support children in care.
- **Arts Council England** funds the hub and checks our work every year.
- **Concert halls and theatres** host our county ensembles and festivals.
- **Universities and colleges** provide student placements and masterclasses.
- **Community groups**, such as brass bands and choirs, welcome our pupils as they grow up.
- **Special schools** shape our inclusion programme with us.

We meet our partners each term to review the local plan for music education. If your organisation would like to join, [contact us](/contact).",
    ),
    (
        "service",
        "achievements",
        "Achievements",
        "Highlights from last year: more children learning, more ensembles, and more schools singing every week.",
        "impact, data",
        "Every year we report to Arts Council England on the children and schools we reach. Last year:

- **9,800 children** had weekly instrumental or vocal lessons;
- **6,200 children** in 180 schools learned an instrument together in whole-class teaching;
- **41 ensembles** rehearsed every week, with 1,450 members;
- **every special school** in the area took part in our inclusion programme;
- **120 class teachers** completed our singing training;
- our County Youth Orchestra performed at a national festival, and three of our pupils joined national youth ensembles.

Read the full figures in our [annual report](/reports-and-policies).",
    ),
    (
        "",
        "learning",
        "Learning an instrument",
        "Lessons happen in school, individually, in pairs or in small groups, for 15 to 60 minutes a week.",
        "lessons, instruments, charges",
        "Learning an instrument with us starts in school. Our teachers visit your child's school each week and teach during the school day.

- [How lessons work](/learning/how-lessons-work)
- [Prices and paying](/learning/prices)
- [Instruments we teach](/learning/instruments)
- [Playing tips](/learning/playing-tips)
- [Ensembles](/learning/ensembles)
- [Primary music progress map](/learning/progress-map)
- [Adult learning](/learning/adult-learning)

## What lessons cost, in brief

Lessons are charged by the term. Families whose children receive free school meals pay less, and looked-after children are never charged. [Prices and paying](/learning/prices) has this year's prices for every kind and length of lesson.

Ready to start? [Create a parent or carer account](/signup) and apply for lessons.",
    ),
    (
        "learning",
        "how-lessons-work",
        "How lessons work",
        "From application to the first lesson, and what happens each week.",
        "lessons, applying, timetable",
        "## Applying

A parent or carer applies for lessons from their account, choosing the instrument and the child's school. Some schools apply for lessons on behalf of a group of pupils.

## Waiting list and offer

Your child joins the waiting list for their school. When a teacher has space, we offer a place by email. Accept or decline the offer from your account.

## Lessons

- Lessons are **individual, paired or in small groups** of up to six, and last **15, 20, 30, 45 or 60 minutes**.
- We promise **at least 24 lessons a year** and aim for 30.
- Lessons your child misses for their own reasons, such as illness, a school trip, an exam or a forgotten instrument, still count.
- Lessons we miss, because a teacher is away or the school is closed, are made up or credited.

## Rotating timetables

Many schools rotate lesson times each week so that a pupil does not miss the same class every week. Your account shows the **real time of each week's lesson**, and so do the teacher's and the school's.

## Progress

Teachers write short notes on progress and a report each term. When your child is ready, they can take graded exams (ABRSM, Trinity, RSL or LCM, grades 1 to 8).",
    ),
    (
        "learning",
        "prices",
        "Prices and paying",
        "What lessons cost, who pays less, and how invoices and notice work.",
        "charges, fees, remission, invoices",
        "## This year's prices

The table below gives this year's price for a term of every kind of lesson, who pays less, and what hiring an instrument costs. It comes straight from the charging policy we bill by, so it is always the price you pay.

- Some schools add a charge to cover their costs, a share of the standard fee; the table says which shares a school may choose.
- **Looked-after children** are never charged, and families on **free school meals** pay less.
- **Whole-class teaching** in the curriculum is free to families. By law, we charge only for individual or group tuition that a parent has asked for, and never above cost.

## Invoices and instalments

We send invoices each term: in **September, December and April**. You can pay in full, or in instalments due by the **15th of each month**. If an instalment is missed, the instalment plan for that invoice is cancelled and the full balance becomes due.

## Starting part-way through a term

A pupil who starts in the first half of a term (with 8 or more lessons left) is invoiced for that term. A pupil who starts in the second half (fewer than 8 lessons left) pays nothing for that term.

## Giving notice

To stop lessons, give written notice **before the next term's invoice is issued**: by the last day of **August, November or March**. If notice arrives later, the next term is payable. Stopping part-way through a term does not cancel an invoice that has already been issued.

See the [frequently asked questions](/faqs) for more.",
    ),
    (
        "learning",
        "instruments",
        "Instruments we teach",
        "Strings, woodwind, brass, percussion, guitar, keyboard and voice, with instruments to borrow.",
        "instruments, loans",
        "We teach:

- **Strings:** violin, viola, cello and double bass
- **Woodwind:** flute, clarinet, oboe, bassoon and saxophone
- **Brass:** trumpet, cornet, horn, trombone, baritone, euphonium and tuba
- **Percussion:** drum kit and tuned percussion
- **Guitar:** classical, acoustic, electric and bass guitar, and ukulele
- **Keyboard:** piano and keyboard, where the school has one
- **Voice:** singing lessons, usually from Year 5

## Choosing an instrument

Let your child try instruments first: our whole-class teaching and school demonstrations are a good chance. Size matters for young children: small violins and cellos come in fractional sizes, and most young brass players start on a cornet or a baritone.

## Borrowing an instrument

The hub owns thousands of instruments. We lend them to pupils, usually for a year and longer for large or expensive ones, with a hire charge each term. Look after it at home, keep it in its case, and tell us straight away if it is damaged.",
    ),
    (
        "learning",
        "playing-tips",
        "Playing tips",
        "Short, practical advice from our teachers on practice, posture and looking after your instrument.",
        "practice, tips, instruments",
        "## Practice

- **Little and often.** Ten minutes every day beats an hour on Sunday.
- **Start with something you enjoy**, then work on the hard bar, then finish with a piece you can play.
- **Practise slowly.** If a passage goes wrong at full speed, halve the speed and play it right three times.
- **Keep a practice log** and show it to your teacher.

## Posture and breathing

Stand or sit tall with relaxed shoulders. Wind and brass players breathe low, into the tummy, not high into the shoulders. String players keep the wrist soft and the thumb bent.

## Looking after instruments

- Keep instruments away from radiators and cold cars.
- Wipe strings and woodwind after playing; pull a cloth through a clarinet or flute.
- Oil valves and grease slides on brass instruments when your teacher shows you how.
- Never force a stuck mouthpiece: ask your teacher.

## For parents

Ask your child to play you something each week. Praise effort more than results. A quiet corner with a music stand helps more than you might think.",
    ),
    (
        "learning",
        "ensembles",
        "Ensembles",
        "Over 40 orchestras, bands, choirs and rock and jazz groups for every standard, in every part of the county.",
        "ensembles, orchestras, choirs, bands",
        "Playing with others is the best part of learning an instrument. Our ensembles meet in the evenings and on Saturday mornings during term.

## Area music centres

Each area has a Saturday music centre with beginner and intermediate groups: string groups, wind bands, guitar ensembles and choirs. Most pupils join after a year or two of lessons.

## County ensembles

- County Youth Orchestra and County Youth Wind Orchestra (grade 5 and above)
- County Youth Brass Band and County Youth Jazz Orchestra
- County Youth Choir and Chamber Choir
- County Rock School bands

Some county ensembles hold auditions in the summer term. Each ensemble has a fee per term, with reduced fees for families on free school meals and bursaries from the [Friends of the hub](/about/friends).

## Online

Can't get to a rehearsal? The [Virtual Music Centre](/virtual-music-centre) runs online groups for every standard.",
    ),
    (
        "learning",
        "progress-map",
        "Primary music progress map",
        "What pupils can do in music at the end of each primary year, for teachers and parents.",
        "curriculum, progression, primary",
        "The progress map describes what most pupils can do by the end of each year. Use it to plan, and to notice children who are ready for more.

| Year | Singing | Playing and rhythm | Listening and creating |
|---|---|---|---|
| Reception | Sings simple songs and rhymes from memory | Keeps a steady beat with body percussion | Responds to music through movement |
| Year 1 | Sings in tune within a small range | Plays a steady beat on untuned percussion | Makes up simple patterns with sounds |
| Year 2 | Sings with expression and clear words | Copies short rhythms | Chooses sounds to tell a story |
| Year 3 | Sings rounds and simple parts | Plays simple tunes on a tuned instrument | Uses simple notation for rhythms |
| Year 4 | Sings in two parts | Plays in a whole-class ensemble | Improvises short phrases |
| Year 5 | Sings with control of breath and dynamics | Reads simple staff notation | Composes a short piece with a structure |
| Year 6 | Sings in three parts and performs to an audience | Plays a part in a mixed ensemble | Talks about music using musical words |

Find activities for each year in our [resources](/resources).",
    ),
    (
        "learning",
        "adult-learning",
        "Adult learning",
        "It is never too late: adult beginners' groups and community ensembles.",
        "adults, community",
        "Many parents start to play while their children learn. We run:

- **Adult beginners' ukulele and guitar** groups on weekday evenings;
- **Come and sing** days each term, open to everyone;
- **Parent and child string groups** at two of our music centres.

Adult courses are charged at cost. Community brass bands and choirs across the county welcome adult players; we can put you in touch. [Ask us](/contact).",
    ),
    (
        "",
        "remote-learning",
        "Remote learning",
        "Free music activities for home and class, arranged by year group from Early Years to Year 6, with a weekly video series and a singing podcast.",
        "remote learning, resources",
        "Our remote-learning resources were first made for families at home, and schools now use them every week.

- **[Resources by year group](/resources):** Early Years, Reception and Years 1 to 6.
- **[15 minutes of music](/remote-learning/fifteen-minutes):** one short activity for every school day.
- **[Weekly video episodes](/episodes):** movement songs on Monday, early-years songs on Tuesday, ukulele on Wednesday, a singalong on Thursday and rhythm on Friday.
- **[Singing podcast](/podcast):** songs to learn, with warm-ups and harmony parts.

Everything is free to use at home or in class.",
    ),
    (
        "remote-learning",
        "fifteen-minutes",
        "15 minutes of music",
        "A short, complete music activity for every school day: sing, move, listen and create.",
        "daily activities",
        "Each activity takes about 15 minutes and needs nothing but voices, bodies and sometimes a pot and a wooden spoon.

A week looks like this:

1. **Monday:** warm up and learn a new song.
2. **Tuesday:** find the beat: body percussion to a piece of music.
3. **Wednesday:** listen to a piece and draw what you hear.
4. **Thursday:** sing the song again, adding actions or a second part.
5. **Friday:** compose a four-beat rhythm and teach it to someone at home.

Find this week's activities among the [15 minutes of music resources](/resources?year=fifteen-minutes).",
    ),
    (
        "",
        "virtual-music-centre",
        "Virtual Music Centre",
        "Online groups, or strands, for every standard, age and instrument, each session with its own video-call link.",
        "online, ensembles",
        "The Virtual Music Centre brings young musicians together online, wherever they live. It began when rehearsals had to stop, and stayed because families in rural areas asked us to keep it.

## Who it is for

Young musicians who cannot get to an area music centre, and anyone who wants to play with others between rehearsals.

- [Strands and timetable](/virtual-music-centre/strands)
- [Joining safely](/virtual-music-centre/joining)",
    ),
    (
        "virtual-music-centre",
        "strands",
        "Strands and timetable",
        "Weekly online strands by standard, age and instrument.",
        "online, timetable",
        "| Strand | Who | When |
|---|---|---|
| First Steps Strings | Violin, viola and cello, first year | Monday 5pm |
| Brass Builders | Brass, grades 1 to 3 | Tuesday 5pm |
| Woodwind Workshop | Flute, clarinet and saxophone, grades 2 to 4 | Wednesday 5pm |
| Theory Club | Anyone working towards grade 5 theory | Wednesday 6pm |
| Young Composers | Ages 11 to 18, any instrument | Thursday 6pm |
| Songwriters | Voice, guitar and keyboard | Friday 5pm |

Each session has its own video-call link, sent by email to members the day before. Sessions run in term time only.",
    ),
    (
        "virtual-music-centre",
        "joining",
        "Joining safely",
        "How we keep online sessions safe, and how to join one.",
        "safeguarding, online",
        "To join a strand, a parent or carer signs up from their account. Before the first session:

- a parent or carer agrees to our online safety rules;
- the pupil uses their first name only on screen;
- cameras stay on during the session, and a second member of staff is always present.

Sessions are never recorded. If anything worries you, tell the teacher or [contact the office](/contact).",
    ),
    (
        "",
        "early-years",
        "Early Years",
        "Songs, rhymes and movement activities for children from birth to five, for nurseries and families.",
        "early years",
        "Music helps young children with speech, movement and making friends. Our Early Years team works with nurseries, childminders and families.

- [Songs to sing at home](/early-years/songs-at-home)
- [Training for Early Years practitioners](/early-years/training)
- [Early Years activities](/resources?year=early-years)
- Our Tuesday [video episodes](/episodes) are early-years songs.",
    ),
    (
        "early-years",
        "songs-at-home",
        "Songs to sing at home",
        "Simple songs and rhymes that parents and carers can share with young children every day.",
        "early years, families, singing",
        "You do not need to be a singer. Your child loves your voice more than anyone's.

- **Nursery rhymes** with actions: *Row, Row, Row Your Boat*, *Wind the Bobbin Up*, *Heads, Shoulders, Knees and Toes*.
- **Everyday songs:** make up a tune for getting dressed, tidying up or bath time.
- **Bouncing songs:** a steady beat on your knee builds a sense of rhythm.
- **Quiet songs** at bedtime help children settle.

Sing slowly, repeat often, and leave a gap for your child to fill in the last word.",
    ),
    (
        "early-years",
        "training",
        "Training for Early Years practitioners",
        "Short courses for nursery and reception staff on using music every day.",
        "CPD, early years",
        "Our Early Years courses show practitioners how to use singing, rhythm and movement across the day, not just at music time.

- **Music in the early years** (two twilights)
- **Singing with babies and toddlers** (one morning)
- **Music for communication** (half day), for children with speech and language needs

Book through [our training page](/service/cpd) or [contact us](/contact).",
    ),
    (
        "",
        "contact",
        "Contact us",
        "The hub office is open Monday to Friday, 8:30am to 4:30pm, during term time.",
        "contact",
        "## Lessons and invoices

Parents and carers can see lessons, invoices and payments in their [account](/login). For anything else, send us a message and include your child's name and school.

## Schools

School contacts can see their pupils' lessons and their school's invoices after logging in. For services for schools, choose **Schools** in the form.

## Visiting us

The hub office is in Durham city centre, close to the railway station. Please make an appointment before you visit.",
    ),
    (
        "",
        "accessibility",
        "Accessibility statement",
        "We want as many people as possible to be able to use this website, and we aim to meet WCAG 2.2 at level AA.",
        "accessibility",
        "This statement covers this website and the accounts of parents, pupils, teachers and schools.

## What you can do

You should be able to:

- change colours, contrast levels and fonts using your browser or device settings;
- zoom in up to 400% without the text spilling off the screen;
- navigate the whole website using just a keyboard;
- listen to the website using a screen reader;
- use the site without JavaScript.

## How we test

We check every public page automatically in a real browser against WCAG 2.2 A and AA on every change, and we test with a keyboard and a screen reader before each release.

## Video and audio

Videos open on the video site only when you choose to load them. Podcast episodes have a written description; transcripts are on the way.

## Reporting problems

If you find a problem, or need information in a different format, [contact us](/contact). We will reply within 5 working days.

## Enforcement

The Equality and Human Rights Commission enforces the accessibility regulations. If you are not happy with our response, contact the Equality Advisory and Support Service.",
    ),
    (
        "",
        "privacy",
        "Privacy notice",
        "How we use personal data about children and their families, and your rights.",
        "privacy, data protection",
        "We are the data controller for the personal data we hold, under UK GDPR. We follow the ICO's Children's Code.

## What we hold and why

- Names, dates of birth, schools and contact details, to arrange and teach lessons;
- attendance and progress, to teach well and to report to you;
- free school meals status, special educational needs and medical notes, where needed, to charge fairly and keep children safe;
- photo and video consent, recorded for each pupil.

## Who sees it

Teachers see only their own pupils, and schools only their own. Every look at a pupil's record is logged.

## How long we keep it

We keep records for as long as a child learns with us and then for the periods set out in our retention policy, after which we delete them.

## Your rights

You can ask for a copy of your data, ask us to correct it, or ask us to erase it. [Contact our data protection lead](/contact).

## Cookies

This site sets one cookie, which keeps you logged in or remembers a form you are filling in. We use no advertising or tracking cookies, and no third-party scripts.",
    ),
    (
        "",
        "terms",
        "Terms and conditions",
        "These terms cover lessons, charges and the use of this website.",
        "terms, charges",
        "## Charges

Tuition is charged termly at the rates published for the academic year. Individual and group tuition is charged only at a parent's request and never above cost. Whole-class teaching in the curriculum is free to families. See [prices and paying](/learning/prices).

## Notice

Written notice must reach us before the next term's invoice is issued: by the last day of August, November or March. Stopping part-way through a term does not cancel an invoice already issued.

## Instruments

Borrowed instruments remain the hub's property. Families are responsible for loss or damage beyond fair wear and tear.

## This website

Content on this site is provided for education. You may use our resources in your home or school.",
    ),
];

/// (days ago, title, summary, topics, body)
pub(super) const NEWS: &[(i64, &str, &str, &str, &str)] = &[
    (
        3,
        "Applications open for county ensembles",
        "Auditions for the County Youth Orchestra, Wind Orchestra, Brass Band and Jazz Orchestra take place in June.",
        "ensembles, auditions",
        "Applications are now open for next year's county ensembles. Players of grade 5 standard and above are welcome to apply; the Jazz Orchestra also welcomes players who improvise but have not taken exams.\n\nAuditions are relaxed and take about ten minutes: a piece of your choice, some scales and a short sight-reading. Bursaries are available for ensemble fees.\n\nAsk your teacher for an application, or [contact us](/contact).",
    ),
    (
        12,
        "Six hundred voices at the spring singing festival",
        "Pupils from 24 primary schools sang together at our spring festival.",
        "singing, schools",
        "Six hundred pupils from 24 primary schools filled the hall for our spring singing festival. They had learned the songs in school with our singing leaders and the [singing podcast](/podcast).\n\nThank you to the teachers, parents and carers who made it possible.",
    ),
    (
        25,
        "New ukulele episodes every Wednesday",
        "Our Wednesday video episodes now teach a whole song on the ukulele, one chord at a time.",
        "ukulele, episodes",
        "By popular demand, our Wednesday [video episodes](/episodes) now teach a complete song over a half term. Each episode adds a chord or a strumming pattern. All you need is a ukulele tuned G C E A.",
    ),
    (
        40,
        "Whole-class teaching reaches 180 schools",
        "More schools than ever chose whole-class ensemble teaching this year.",
        "schools, WCET",
        "This year 6,200 pupils in 180 schools are learning an instrument together in whole-class teaching. It is free to families, and one in three pupils carries on with lessons afterwards. Schools can read about [services for schools](/service/schools).",
    ),
    (
        60,
        "Instrument amnesty: bring back the forgotten violins",
        "Is there an unused hub instrument in your loft? Please bring it back for another child.",
        "instruments",
        "Our instrument library lends thousands of instruments, and every one that comes back is one more child who can start. If you have a hub instrument you no longer use, bring it to any music centre or [contact us](/contact) to arrange a collection. No questions asked.",
    ),
];

/// (week, day key, title, description)
pub(super) const EPISODES: &[(i32, &str, &str, &str)] = &[
    (
        1,
        "monday",
        "Shake and stop",
        "A movement song about listening: shake, wiggle and freeze when the music stops. Good for Reception and Key Stage 1.",
    ),
    (
        1,
        "tuesday",
        "Five little ducks",
        "Counting down with five little ducks, with finger actions for the youngest singers.",
    ),
    (
        1,
        "wednesday",
        "Ukulele: your first chord, C",
        "Hold the ukulele, strum with your thumb and play C, the easiest chord of all.",
    ),
    (
        1,
        "thursday",
        "Singalong: The wellerman",
        "A sea shanty to sing together, with an easy echo part for younger children.",
    ),
    (
        1,
        "friday",
        "Rhythm: pots and pans",
        "Find a pot and a wooden spoon and copy four-beat rhythms, then make your own.",
    ),
    (
        2,
        "monday",
        "The animal walk",
        "Walk like an elephant, tiptoe like a mouse: moving to the speed and weight of the music.",
    ),
    (
        2,
        "tuesday",
        "Wind the bobbin up",
        "A favourite action rhyme, slow then fast.",
    ),
    (
        2,
        "wednesday",
        "Ukulele: adding A minor",
        "Two chords make a song: practise changing between C and A minor.",
    ),
    (
        2,
        "thursday",
        "Singalong: Lean on me",
        "Learn the chorus, then the verse, then sing along with the whole song.",
    ),
    (
        2,
        "friday",
        "Rhythm: body percussion",
        "Clap, click, pat and stamp a pattern in four parts.",
    ),
];

/// (year group, title, summary, body)
pub(super) const RESOURCES: &[(&str, &str, &str, &str)] = &[
    (
        "early-years",
        "Sleeping bunnies",
        "A movement song: lie still, then hop when the bunnies wake up.",
        "Children lie still while you sing softly, then hop around when the bunnies wake. Vary the speed and volume to build listening.",
    ),
    (
        "early-years",
        "Sound walk",
        "Go for a walk and listen: which sounds are loud, quiet, high or low?",
        "Take a short walk inside or outside. Stop three times and listen for one minute. Talk about the sounds you heard.",
    ),
    (
        "reception",
        "Copy my beat",
        "Keep a steady beat on different parts of the body.",
        "Pat knees, clap hands and tap heads in time with a song. Let children take turns to be the leader.",
    ),
    (
        "reception",
        "High and low",
        "Move up for high sounds and down for low sounds.",
        "Play or sing high and low notes. Children stretch up tall for high and crouch low for low.",
    ),
    (
        "year-1",
        "Rhythm names",
        "Say the rhythm of your name and clap it.",
        "Each child says their name and claps its syllables. Combine three names into a rhythm to clap as a class.",
    ),
    (
        "year-1",
        "Musical story",
        "Choose sounds to tell the story of a storm.",
        "Use voices, bodies and classroom objects to make the sounds of a storm: wind, rain, thunder and the sun coming out.",
    ),
    (
        "year-2",
        "Call and response",
        "Sing a line and answer it.",
        "The leader sings a short phrase and the class answers with the same phrase, then with a new one.",
    ),
    (
        "year-2",
        "Loud and quiet",
        "Explore dynamics with a song everyone knows.",
        "Sing a familiar song loudly, quietly, getting louder and getting quieter. Talk about which suits the words best.",
    ),
    (
        "year-3",
        "Rounds: London's burning",
        "Sing a simple round in two, then four, parts.",
        "Learn the song together, then split into two groups with the second group starting one line later. When it is secure, try four groups.",
    ),
    (
        "year-3",
        "Four-beat rhythms with notation",
        "Read and clap rhythms written as crotchets and quavers.",
        "Use rhythm cards with ta and ti-ti. Clap each card, then put four cards together to make a rhythm for a partner to read.",
    ),
    (
        "year-3",
        "Tuned percussion tune",
        "Play a five-note tune on glockenspiels or chime bars.",
        "Use the notes C D E F G. Play a simple tune by ear, then make up your own four-bar answer.",
    ),
    (
        "year-4",
        "Two-part singing",
        "Sing a song with a simple harmony line.",
        "Learn the melody and a harmony line that moves in longer notes. Put them together in two groups.",
    ),
    (
        "year-4",
        "Ensemble skills",
        "Start and stop together, watch the leader.",
        "Practise starting, stopping, getting louder and softer by watching a leader's signals, with instruments or voices.",
    ),
    (
        "year-5",
        "Reading staff notation",
        "The notes on the treble stave and a simple tune to read.",
        "Learn the lines and spaces, then read and play a short tune on any instrument or sing it.",
    ),
    (
        "year-5",
        "Compose a rondo",
        "A piece with a returning theme: A B A C A.",
        "In groups, make a four-bar A section everyone plays, then contrasting B and C sections. Perform and record it.",
    ),
    (
        "year-6",
        "Three-part harmony",
        "Sing a song in three parts and perform it.",
        "Learn three parts in groups, then combine them. Perform to another class.",
    ),
    (
        "year-6",
        "Music around the world",
        "Listen to and compare music from three continents.",
        "Listen to samba from Brazil, kora music from West Africa and gamelan from Indonesia. Compare instruments, rhythm and texture.",
    ),
    (
        "fifteen-minutes",
        "Monday: warm up and a new song",
        "A 15-minute singing warm-up and a new song.",
        "Stretch, yawn and hum, then learn a short song line by line.",
    ),
    (
        "fifteen-minutes",
        "Friday: compose a rhythm",
        "Make up a four-beat rhythm and teach it to someone.",
        "Clap four beats, choose sounds for each beat, write it down with pictures and teach it to someone at home.",
    ),
    (
        "adult",
        "Ukulele for grown-ups",
        "Four chords and a dozen songs for adult beginners.",
        "Learn C, A minor, F and G7 and play along with familiar songs.",
    ),
];

/// (number, title, description, duration in seconds)
pub(super) const PODCAST: &[(i32, &str, &str, i32)] = &[
    (
        1,
        "Warm up your voice",
        "Five fun warm-ups for singers of every age: sirens, lip trills and tongue twisters.",
        720,
    ),
    (
        2,
        "Learning a round",
        "We learn a round line by line and then sing it in parts.",
        840,
    ),
    (
        3,
        "Singing in harmony",
        "A simple harmony part for this term's festival song.",
        900,
    ),
];

/// (title, location, hours, days until closing (negative: closed), body)
pub(super) const VACANCIES: &[(&str, &str, i64, &str)] = &[
    (
        "Brass teacher (0.6 FTE)",
        "Durham and Chester-le-Street",
        21,
        "We are looking for a brass teacher to teach in primary and secondary schools and lead a music centre brass band.\n\n- 0.6 full-time equivalent, term time\n- Salary on the teachers' pay scale, pro rata\n- Mileage paid between schools\n\nYou will need an enhanced DBS check. [Contact us](/contact) for an application pack.",
    ),
    (
        "Early Years music leader (sessional)",
        "County-wide",
        35,
        "Lead singing and movement sessions in nurseries and children's centres, and help us train nursery staff. Sessional hours to suit you.",
    ),
    (
        "Office administrator (closed)",
        "Durham",
        -3,
        "This vacancy has closed.",
    ),
];

/// (category, question, answer)
pub(super) const FAQS: &[(&str, &str, &str)] = &[
    (
        "Charges",
        "How much do lessons cost?",
        "It depends on the kind of lesson (individual, paired or group) and its length. [Prices and paying](/learning/prices) lists this year's price for a term of each, and what a school may add.",
    ),
    (
        "Charges",
        "Do families on free school meals pay less?",
        "Yes. A pupil eligible for free school meals on income grounds pays a reduced fee, shown on [prices and paying](/learning/prices). Looked-after children are never charged.",
    ),
    (
        "Charges",
        "When are invoices sent?",
        "Termly: in September, December and April. You can pay in full or in instalments due by the 15th of each month.",
    ),
    (
        "Charges",
        "What happens if I miss an instalment?",
        "If an instalment is missed, the instalment plan on that invoice is cancelled and the full balance becomes due.",
    ),
    (
        "Charges",
        "My child starts part-way through a term. Do I pay for that term?",
        "If your child starts in the first half of the term (8 or more lessons left), you are invoiced for that term. If they start in the second half (fewer than 8 lessons left), there is no charge for that term.",
    ),
    (
        "Charges",
        "Is whole-class teaching free?",
        "Yes. Music in the curriculum and whole-class first-access teaching are free to families. We charge only for individual or group tuition a parent has asked for, and never above cost.",
    ),
    (
        "Lessons",
        "How many lessons will my child get?",
        "We promise at least 24 lessons a year and aim for 30. Lessons missed for your child's own reasons still count; lessons we miss are made up or credited.",
    ),
    (
        "Lessons",
        "How do I stop lessons?",
        "Give written notice before the next term's invoice is issued: by the last day of August, November or March. Otherwise the next term is payable. Stopping part-way through a term does not cancel an invoice already issued.",
    ),
    (
        "Lessons",
        "Why does my child's lesson time change?",
        "Many schools rotate lesson times so that pupils do not miss the same class every week. Your account shows the real time of each week's lesson.",
    ),
    (
        "Instruments",
        "Do I need to buy an instrument?",
        "No. We lend instruments, with a hire charge per instrument per term. Whole-class teaching instruments are lent to schools free of charge.",
    ),
    (
        "Ensembles",
        "When can my child join an ensemble?",
        "Most pupils join an area music centre group after a year or two of lessons. Ask your child's teacher which group suits them.",
    ),
];

/// (category, title, summary)
pub(super) const DOCUMENTS: &[(&str, &str, &str)] = &[
    (
        "report",
        "Annual report and accounts",
        "What we did last year, who we reached and how we spent the money.",
    ),
    (
        "report",
        "Local plan for music education",
        "Our partnership's plan for the next three years.",
    ),
    (
        "policy",
        "Charging and remissions policy",
        "How we set fees, reduced fees and remission, as the law requires.",
    ),
    (
        "policy",
        "Safeguarding and child protection policy",
        "How we keep children safe in lessons, ensembles and online.",
    ),
];
