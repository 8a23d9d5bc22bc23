"""Multilingual morphology-and-syntax corpus for the search contract suite.

About sixty short, original news-style documents (arms seizures, shipments, armed groups) in
English, French, Spanish, Russian and Arabic, and query cases that each name the exact set of
documents every search backend (SQLite FTS5 and OpenSearch) must return.

The cases pin down the query language, not relevance: per-language Snowball stemming (each
document is stemmed in its own language, the query word in the document's language), exact
forms (`"phrase"`, `=word`), prefix (`word*`), fuzzy (`word~`, `word~1`), proximity
(`"a b"~N`, `NEAR(a b, N)`), boolean operators and grouping (OR binds tighter than AND),
field scopes (`title:`, `text:`, `author:`, `url:`), weapon designations written in several
ways (AK-47 / AK47 / AK 47, RPG-7 / RPG7 / RPG 7, 9M133 / 9M-133, M16A4 / M16-A4) and the
`lang:` filter. Words the cases rely on were placed with care: a word searched by a case does not
occur, in any inflection that shares its stem, in documents outside the expected set.

Every expected set is written out literally; none is computed from the documents.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CorpusDocument:
    name: str  # short unique id, e.g. "en_kornet_sudan"
    language: str  # en fr es ru ar
    title: str
    text: str
    authors: tuple[str, ...] = ()
    url: str = ""
    published: str = ""  # ISO date


@dataclass(frozen=True)
class SearchCase:
    query: str
    expected: frozenset[str]  # document names
    why: str  # what the case proves


def _case(query: str, expected: set[str] | frozenset[str], why: str) -> SearchCase:
    return SearchCase(query=query, expected=frozenset(expected), why=why)


_EN = "https://news.example.org/en/"
_FR = "https://actu.example.org/fr/"
_ES = "https://noticias.example.com/es/"
_RU = "https://novosti.example.com/ru/"
_AR = "https://akhbar.example.org/ar/"


DOCUMENTS: tuple[CorpusDocument, ...] = (
    # --- English ------------------------------------------------------------------------------
    CorpusDocument(
        name="en_kornet_sudan",
        language="en",
        title="Kornet missiles traced to Sudan",
        text="Investigators traced two Kornet anti-tank missiles recovered near El Fasher to a batch "
        "exported in 2016. The 9M133 launch tubes still carried their original lot numbers. A "
        "spokesman for the Rapid Support Forces denied that his fighters had used them.",
        authors=("Amina Okafor",),
        url=_EN + "kornet-sudan",
        published="2024-03-05",
    ),
    CorpusDocument(
        name="en_kornet_far",
        language="en",
        title="Anti-tank weapons on the Red Sea route",
        text="A Kornet launcher was photographed on a dhow that left a Yemeni port in March, according "
        "to a maritime security firm that tracks vessels crossing the Red Sea and later reported the "
        "cargo unloaded at a jetty north of Port Sudan. The firm shared its images with investigators.",
        url=_EN + "anti-tank-red-sea",
        published="2024-04-11",
    ),
    CorpusDocument(
        name="en_ak47_mombasa",
        language="en",
        title="AK-47 rifles seized at Mombasa",
        text="Customs officers at Mombasa seized 120 AK-47 rifles hidden in a container of tractor parts. "
        "The shipment had been declared as farm machinery. Two clearing agents were arrested.",
        url=_EN + "ak47-rifles-mombasa",
        published="2024-01-18",
    ),
    CorpusDocument(
        name="en_ak47_chad",
        language="en",
        title="Convoy stopped on the Chad border",
        text="Border guards in eastern Chad intercepted three pickups carrying Kalashnikov AK47 rifles "
        "and boxes of ammunition. The drivers told police the cargo was bound for a militia in Darfur.",
        authors=("Amina Okafor", "Jonas Weber"),
        url=_EN + "convoy-chad-border",
        published="2024-02-02",
    ),
    CorpusDocument(
        name="en_ak_libya",
        language="en",
        title="Militia stockpile found near Misrata",
        text="Fighters loyal to a local commander kept AK 47 assault rifles and RPG-7 launchers in a "
        "warehouse outside Misrata. The stockpile was discovered after a dispute between two brigades.",
        url=_EN + "militia-stockpile-misrata",
        published="2023-12-07",
    ),
    CorpusDocument(
        name="en_rpg7_somalia",
        language="en",
        title="Al-Shabaab cache raided",
        text="Somali troops raided a cache belonging to Al-Shabaab and recovered RPG7 launchers, mortar "
        "rounds and radios. Officials said the launchers had been shipped through Yemen.",
        authors=("Tom Brennan",),
        url=_EN + "shabaab-cache-raided",
        published="2023-10-21",
    ),
    CorpusDocument(
        name="en_m16a4_yemen",
        language="en",
        title="M16A4 rifles sold in Yemen",
        text="American-made M16A4 rifles are openly sold in weapons markets in Marib. Traders said the "
        "rifles came from stocks handed to government forces.",
        url=_EN + "m16a4-yemen-markets",
        published="2024-05-14",
    ),
    CorpusDocument(
        name="en_ak74_mostar",
        language="en",
        title="Garage arsenal in Mostar",
        text="Police in Mostar found AK-74 carbines and 47 crates of ammunition in a garage. The owner "
        "claimed the weapons dated from the war of the 1990s.",
        url=_EN + "garage-arsenal-mostar",
        published="2023-09-30",
    ),
    CorpusDocument(
        name="en_m16_mindanao",
        language="en",
        title="Old M16 carbines resurface",
        text="Vintage M16 carbines stolen from a depot decades ago have resurfaced in Mindanao. "
        "Investigators believe a broker sold them to an armed group.",
        authors=("Tom Brennan",),
        url=_EN + "old-m16-carbines",
        published="2024-06-03",
    ),
    CorpusDocument(
        name="en_grenades_goma",
        language="en",
        title="Grenades smuggled in fruit lorries",
        text="Smugglers hid hand grenades inside crates of mangoes bound for Goma. Smuggling along this "
        "corridor has doubled since the ceasefire collapsed.",
        url=_EN + "grenades-fruit-lorries",
        published="2024-02-26",
    ),
    CorpusDocument(
        name="en_smugglers_rosso",
        language="en",
        title="Smugglers arrested at Rosso crossing",
        text="Mauritanian police arrested four smugglers carrying pistols, an assault rifle and hunting "
        "ammunition across the Senegal River at Rosso.",
        url=_EN + "rosso-crossing",
        published="2024-03-19",
    ),
    CorpusDocument(
        name="en_drones_poland",
        language="en",
        title="Drone parts intercepted in Poland",
        text="Polish customs intercepted a shipment of drone motors and thermal cameras addressed to a "
        "front-line unit. The sender described the parts as toys.",
        authors=("Jonas Weber",),
        url=_EN + "drone-parts-poland",
        published="2024-07-08",
    ),
    CorpusDocument(
        name="en_airsoft_durban",
        language="en",
        title="Airsoft replicas mistaken for rifles",
        text="A raid on a warehouse in Durban turned up hundreds of airsoft replicas that resembled "
        "assault rifles. Police said no real weapons were found.",
        url=_EN + "airsoft-durban",
        published="2023-11-15",
    ),
    CorpusDocument(
        name="en_arms_sahel",
        language="en",
        title="Arms flows to armed groups in the Sahel",
        text="A new report tracks small arms flowing to armed groups across Mali, Niger and Burkina "
        "Faso. Many weapons were looted from national stockpiles.",
        url=_EN + "arms-flows-sahel",
        published="2024-01-09",
    ),
    CorpusDocument(
        name="en_launcher_basra",
        language="en",
        title="Rocket launcher seizure in Basra",
        text="Iraqi security forces announced the seizure of a rocket launcher and twelve rockets in a "
        "palm grove near Basra. No group claimed the weapons.",
        url=_EN + "rocket-launcher-basra",
        published="2024-04-27",
    ),
    CorpusDocument(
        name="en_carbines_haiti",
        language="en",
        title="Carbines bound for Haiti",
        text="Florida investigators charged a straw purchaser who bought thirty carbines for gangs in "
        "Port-au-Prince. The carbine magazines were packed in barrels of clothing.",
        url=_EN + "carbines-haiti",
        published="2024-08-12",
    ),
    # --- French -------------------------------------------------------------------------------
    CorpusDocument(
        name="fr_fusils_mali",
        language="fr",
        title="Saisie de fusils au Mali",
        text="Les douaniers maliens ont saisi quarante fusils AK-47 cachés dans un camion de riz. Les "
        "armes venaient de Guinée selon les enquêteurs.",
        authors=("Claire Dubois",),
        url=_FR + "saisie-fusils-mali",
        published="2024-02-14",
    ),
    CorpusDocument(
        name="fr_fusil_gao",
        language="fr",
        title="Un fusil de précision retrouvé à Gao",
        text="Un fusil de précision a été retrouvé dans une maison abandonnée à Gao. L'arme portait un "
        "numéro de série effacé.",
        url=_FR + "fusil-precision-gao",
        published="2024-03-02",
    ),
    CorpusDocument(
        name="fr_blindes_tchad",
        language="fr",
        title="Véhicules blindés livrés au Tchad",
        text="Une cargaison de véhicules blindés est arrivée à N'Djamena par avion. Le contrat n'a pas "
        "été rendu public.",
        authors=("Claire Dubois",),
        url=_FR + "vehicules-blindes-tchad",
        published="2023-12-19",
    ),
    CorpusDocument(
        name="fr_blindee_niamey",
        language="fr",
        title="Une voiture blindée volée à Niamey",
        text="Une voiture blindée appartenant à une ambassade a été volée à Niamey. La police soupçonne "
        "un réseau de trafiquants d'armes.",
        url=_FR + "voiture-blindee-niamey",
        published="2024-05-06",
    ),
    CorpusDocument(
        name="fr_blinde_menaka",
        language="fr",
        title="Un blindé incendié près de Ménaka",
        text="Un blindé de transport de troupes a été incendié près de Ménaka. Les assaillants ont "
        "emporté deux mitrailleuses et un pistolet.",
        url=_FR + "blinde-incendie-menaka",
        published="2024-06-21",
    ),
    CorpusDocument(
        name="fr_rpg_bangui",
        language="fr",
        title="Lance-roquettes saisis à Bangui",
        text="Les casques bleus ont saisi six RPG 7 et des roquettes dans un entrepôt de Bangui. Les "
        "lance-roquettes appartenaient à une milice locale.",
        authors=("Sophie Martin", "Karim Benali"),
        url=_FR + "lance-roquettes-bangui",
        published="2024-01-25",
    ),
    CorpusDocument(
        name="fr_kornet_sahel",
        language="fr",
        title="Missiles antichars au Sahel",
        text="Des missiles antichars 9M133 Kornet ont été photographiés entre les mains d'une milice au "
        "nord du Burkina Faso. Leur provenance reste inconnue.",
        url=_FR + "missiles-antichars-sahel",
        published="2024-04-03",
    ),
    CorpusDocument(
        name="fr_grenades_goma",
        language="fr",
        title="Grenades découvertes à Goma",
        text="Des grenades offensives ont été découvertes dans un bus reliant Bukavu à Goma. Une grenade "
        "était amorcée, selon les militaires congolais.",
        url=_FR + "grenades-goma",
        published="2024-03-28",
    ),
    CorpusDocument(
        name="fr_munitions_abidjan",
        language="fr",
        title="Trafiquants de munitions interpellés",
        text="Trois trafiquants ont été interpellés à Abidjan avec des milliers de munitions de chasse "
        "et deux pistolets. "
        "Ils revendaient les cartouches dans le nord du pays.",
        authors=("Karim Benali",),
        url=_FR + "trafiquants-munitions-abidjan",
        published="2023-11-02",
    ),
    CorpusDocument(
        name="fr_drones_bamako",
        language="fr",
        title="Des drones livrés à Bamako",
        text="Plusieurs drones de reconnaissance ont été livrés à Bamako la semaine dernière. Le "
        "ministère de la Défense n'a donné aucun détail sur le fournisseur.",
        url=_FR + "drones-bamako",
        published="2024-07-17",
    ),
    CorpusDocument(
        name="fr_armes_lac_tchad",
        language="fr",
        title="Armes légères en circulation",
        text="Un rapport estime que des milliers d'armes légères circulent sans contrôle autour du lac "
        "Tchad. Les fusils de chasse artisanaux y sont très répandus.",
        url=_FR + "armes-legeres-lac-tchad",
        published="2024-08-30",
    ),
    # --- Spanish ------------------------------------------------------------------------------
    CorpusDocument(
        name="es_fusiles_cauca",
        language="es",
        title="Decomisan fusiles en el Cauca",
        text="El ejército decomisó doce fusiles ak-47 y tres ametralladoras en una finca del Cauca. Las "
        "armas pertenecían a una disidencia de las FARC.",
        authors=("Marta Quintero",),
        url=_ES + "fusiles-cauca",
        published="2024-02-09",
    ),
    CorpusDocument(
        name="es_fusil_rosario",
        language="es",
        title="Hallan un fusil en Rosario",
        text="La policía halló un fusil de asalto dentro de un auto abandonado en Rosario. El arma tenía "
        "la numeración limada.",
        url=_ES + "fusil-rosario",
        published="2024-05-22",
    ),
    CorpusDocument(
        name="es_cohetes_sinaloa",
        language="es",
        title="Cohetes y lanzacohetes en Sinaloa",
        text="Soldados encontraron cohetes para RPG-7 y dos lanzacohetes en una bodega de Culiacán. El "
        "cargamento había llegado por carretera desde la frontera.",
        authors=("Daniel Reyes",),
        url=_ES + "cohetes-sinaloa",
        published="2023-10-05",
    ),
    CorpusDocument(
        name="es_cohete_michoacan",
        language="es",
        title="Un cohete impacta en un cuartel",
        text="Un cohete lanzado desde una colina impactó contra un cuartel policial en Michoacán. No hubo heridos.",
        url=_ES + "cohete-cuartel",
        published="2024-06-11",
    ),
    CorpusDocument(
        name="es_m16a4_honduras",
        language="es",
        title="Robo de fusiles en Tegucigalpa",
        text="Se investiga el robo de fusiles M16-A4 de un depósito militar en Tegucigalpa. Los fusiles "
        "habrían sido vendidos a una pandilla.",
        authors=("Marta Quintero",),
        url=_ES + "robo-fusiles-tegucigalpa",
        published="2024-03-14",
    ),
    CorpusDocument(
        name="es_misiles_zulia",
        language="es",
        title="Misiles portátiles en Zulia",
        text="Un informe señala que misiles portátiles antiaéreos fueron trasladados a una base del "
        "estado Zulia. El gobierno negó la información.",
        url=_ES + "misiles-zulia",
        published="2024-01-30",
    ),
    CorpusDocument(
        name="es_granadas_guayaquil",
        language="es",
        title="Granadas incautadas en Guayaquil",
        text="La policía ecuatoriana incautó granadas de fragmentación en un barrio de Guayaquil. Los "
        "explosivos estaban en manos de una banda criminal.",
        url=_ES + "granadas-guayaquil",
        published="2024-04-16",
    ),
    CorpusDocument(
        name="es_traficantes_sonora",
        language="es",
        title="Capturan a traficantes de armas",
        text="La fiscalía capturó a cinco traficantes que compraban pistolas en Arizona y las cruzaban a "
        "Sonora. Cada traficante recibía una comisión por arma.",
        authors=("Daniel Reyes",),
        url=_ES + "traficantes-sonora",
        published="2024-07-03",
    ),
    CorpusDocument(
        name="es_rpg29_siria",
        language="es",
        title="Un lanzagranadas poco común",
        text="Un video muestra un lanzagranadas RPG-29 en manos de combatientes en Siria. Los expertos "
        "dicen que es raro verlo en la región.",
        url=_ES + "lanzagranadas-siria",
        published="2023-09-12",
    ),
    CorpusDocument(
        name="es_drones_carteles",
        language="es",
        title="Drones con explosivos",
        text="Los cárteles usan drones cargados con explosivos contra comunidades rurales. La fiscalía "
        "abrió una investigación.",
        url=_ES + "drones-explosivos",
        published="2024-08-05",
    ),
    CorpusDocument(
        name="es_cargamento_callao",
        language="es",
        title="Cargamento de municiones en el Callao",
        text="Aduanas detectó en el puerto del Callao un cargamento de municiones declarado como "
        "repuestos. Los envíos anteriores de la misma empresa también son revisados.",
        url=_ES + "cargamento-callao",
        published="2024-02-20",
    ),
    # --- Russian ------------------------------------------------------------------------------
    CorpusDocument(
        name="ru_avtomaty_rostov",
        language="ru",
        title="Изъяты автоматы и патроны",
        text="Сотрудники ФСБ изъяли автоматы и патроны в гараже под Ростовом. Задержан местный житель.",
        authors=("Иван Соколов",),
        url=_RU + "avtomaty-rostov",
        published="2024-01-12",
    ),
    CorpusDocument(
        name="ru_avtomatami_blokpost",
        language="ru",
        title="Нападение на блокпост",
        text="Группа боевиков с автоматами напала на блокпост в горах. Нападавшие скрылись в лесу.",
        url=_RU + "napadenie-blokpost",
        published="2024-02-17",
    ),
    CorpusDocument(
        name="ru_avtomatov_granitsa",
        language="ru",
        title="Партия автоматов на границе",
        text="Пограничники обнаружили партию автоматов AK-47 в грузовике с арбузами. Водитель "
        "утверждает, что не знал о грузе.",
        url=_RU + "partiya-na-granitse",
        published="2024-03-09",
    ),
    CorpusDocument(
        name="ru_avtomat_vokzal",
        language="ru",
        title="Автомат нашли в камере хранения",
        text="Полицейские нашли автомат в камере хранения на вокзале. Оружие было завернуто в одеяло.",
        authors=("Иван Соколов",),
        url=_RU + "kamera-hraneniya",
        published="2024-04-01",
    ),
    CorpusDocument(
        name="ru_avtomaty_dagestan",
        language="ru",
        title="Склад в Дагестане",
        text="Следователи сообщили, что найденные на складе в Дагестане автоматы, по предварительным "
        "данным, были похищены из воинской части много лет назад и долго хранились у родственников "
        "одного из задержанных, живущих недалеко от границы.",
        url=_RU + "sklad-dagestan",
        published="2024-05-25",
    ),
    CorpusDocument(
        name="ru_granaty_posylka",
        language="ru",
        title="Гранаты в посылке",
        text="В почтовой посылке обнаружены две гранаты без запалов. Отправитель объявлен в розыск.",
        url=_RU + "posylka",
        published="2023-12-28",
    ),
    CorpusDocument(
        name="ru_granata_samara",
        language="ru",
        title="Граната на рынке",
        text="Учебная граната была найдена на рынке в Самаре. Саперы обезвредили предмет.",
        url=_RU + "rynok-samara",
        published="2024-06-14",
    ),
    CorpusDocument(
        name="ru_kornet_video",
        language="ru",
        title="Комплекс Корнет у боевиков",
        text="На видео боевики показывают комплекс Корнет с ракетами 9M-133. Эксперты считают, что "
        "ракеты были похищены со склада.",
        authors=("Ольга Лебедева",),
        url=_RU + "kompleks-video",
        published="2024-07-22",
    ),
    CorpusDocument(
        name="ru_rpg7_groznyi",
        language="ru",
        title="Гранатометы RPG-7 в тайнике",
        text="В тайнике под Грозным нашли гранатометы RPG-7 и ящики с выстрелами к ним. Тайник, по "
        "данным следствия, был заложен давно.",
        url=_RU + "tainik-groznyi",
        published="2023-11-08",
    ),
    CorpusDocument(
        name="ru_bespilotniki",
        language="ru",
        title="Беспилотники контрабандистов",
        text="Контрабандисты использовали беспилотники для переброски оружия через границу. Задержаны три человека.",
        url=_RU + "bespilotniki",
        published="2024-08-19",
    ),
    CorpusDocument(
        name="ru_rakety_port",
        language="ru",
        title="Контейнер в Новороссийске",
        text="В порту Новороссийска таможня задержала контейнер с ракетами для РСЗО. Груз был оформлен как запчасти.",
        url=_RU + "novorossiysk",
        published="2024-02-05",
    ),
    # --- Arabic -------------------------------------------------------------------------------
    CorpusDocument(
        name="ar_sarukh_makhzan",
        language="ar",
        title="صاروخ مضاد للدروع في مخزن",
        text="عثرت قوة أمنية على صاروخ مضاد للدروع داخل مخزن مهجور قرب الحدود. ولم تعلن أي جهة مسؤوليتها.",
        authors=("ليلى حداد",),
        url=_AR + "makhzan",
        published="2024-01-07",
    ),
    CorpusDocument(
        name="ar_alsarukh_aden",
        language="ar",
        title="تحقيق في مصدر الصاروخ",
        text="فتحت السلطات تحقيقا لمعرفة مصدر الصاروخ الذي سقط قرب مطار عدن. وقال مسؤول إن الشظايا أرسلت إلى المختبر.",
        url=_AR + "aden",
        published="2024-02-12",
    ),
    CorpusDocument(
        name="ar_bilsarukh_qarib",
        language="ar",
        title="استهداف قارب في البحر الأحمر",
        text="أعلنت جماعة مسلحة أنها استهدفت قاربا بالصاروخ في البحر الأحمر. ولم يصب أحد بأذى.",
        url=_AR + "qarib",
        published="2024-03-03",
    ),
    CorpusDocument(
        name="ar_sawarikh_hudaydah",
        language="ar",
        title="شحنة صواريخ في ميناء الحديدة",
        text="ضبطت قوات خفر السواحل شحنة صواريخ موجهة على متن سفينة متجهة إلى ميناء الحديدة. وكانت "
        "الصواريخ مخبأة داخل حاويات.",
        authors=("ليلى حداد",),
        url=_AR + "hudaydah",
        published="2024-04-08",
    ),
    CorpusDocument(
        name="ar_asliha_tripoli",
        language="ar",
        title="ضبط الأسلحة في مزرعة",
        text="ضبطت الشرطة كمية من الأسلحة مع صناديق ذخيرة في مزرعة جنوب طرابلس. وأوقف ثلاثة أشخاص.",
        url=_AR + "tripoli-farm",
        published="2024-05-02",
    ),
    CorpusDocument(
        name="ar_ak47_saada",
        language="ar",
        title="بنادق AK47 في سوق السلاح",
        text="تباع بنادق AK47 علنا في أسواق السلاح بمدينة صعدة. ويقول التجار إن الأسعار ارتفعت هذا العام.",
        authors=("سامي العبيدي",),
        url=_AR + "saada-market",
        published="2024-06-06",
    ),
    CorpusDocument(
        name="ar_rpg7_mosul",
        language="ar",
        title="قاذفات RPG-7 بيد مسلحين",
        text="ظهرت قاذفات RPG-7 في صور نشرها مسلحون قرب الموصل. وقالت قيادة العمليات إنها تتابع الأمر.",
        url=_AR + "mosul",
        published="2023-10-29",
    ),
    CorpusDocument(
        name="ar_m16a4_anbar",
        language="ar",
        title="بنادق مفقودة من مستودع",
        text="أعلنت وزارة الدفاع فقدان عدد من بنادق M16A4 من مستودع في الأنبار. وتم تشكيل لجنة للتحقيق.",
        url=_AR + "anbar",
        published="2024-07-11",
    ),
    CorpusDocument(
        name="ar_dhakhira_shahina",
        language="ar",
        title="ذخيرة مهربة في شاحنة",
        text="أحبطت السلطات تهريب ذخيرة داخل شاحنة خضار على الطريق الصحراوي. وتم توقيف السائق.",
        url=_AR + "shahina",
        published="2024-08-01",
    ),
    CorpusDocument(
        name="ar_qadhifa_souq",
        language="ar",
        title="قذيفة هاون تسقط على سوق",
        text="سقطت قذيفة هاون على سوق شعبي في المدينة. وأصيب عدد من المدنيين.",
        url=_AR + "souq",
        published="2023-12-13",
    ),
    CorpusDocument(
        name="ar_musayyara",
        language="ar",
        title="طائرات مسيرة لتهريب السلاح",
        text="استخدم مهربون طائرات مسيرة لنقل السلاح عبر الحدود الشمالية. وأسقطت وحدة الدفاع الجوي طائرتين.",
        url=_AR + "musayyara",
        published="2024-08-23",
    ),
    CorpusDocument(
        name="en_near_three",
        language="en",
        title="Depot inventory",
        text="The zorvek crate held quillam fuses beside tessaril charges.",
        url="https://news.example.org/en/depot-inventory",
        published="2024-02-02",
    ),
)


# Document groups that several cases share (written out by hand, not computed).
_RIFLE = {  # English stem "rifl": rifle / rifles
    "en_ak47_mombasa",
    "en_ak47_chad",
    "en_ak_libya",
    "en_m16a4_yemen",
    "en_smugglers_rosso",
    "en_airsoft_durban",
}
_CARBINE = {"en_ak74_mostar", "en_m16_mindanao", "en_carbines_haiti"}
_LAUNCHER = {"en_kornet_far", "en_ak_libya", "en_rpg7_somalia", "en_launcher_basra"}
_KORNET = {"en_kornet_sudan", "en_kornet_far", "fr_kornet_sahel"}  # Latin "Kornet" only
_FUSIL_FR = {"fr_fusils_mali", "fr_fusil_gao", "fr_armes_lac_tchad"}
_FUSIL_ES = {"es_fusiles_cauca", "es_fusil_rosario", "es_m16a4_honduras"}
_ARME_FR = {"fr_fusils_mali", "fr_fusil_gao", "fr_blindee_niamey", "fr_armes_lac_tchad"}
_ARM_EN = {"en_m16_mindanao", "en_arms_sahel"}  # "armed", "arms": English stem "arm"
_BLINDE = {"fr_blindes_tchad", "fr_blindee_niamey", "fr_blinde_menaka"}
_COHETE = {"es_cohetes_sinaloa", "es_cohete_michoacan"}
_AVTOMAT = {
    "ru_avtomaty_rostov",
    "ru_avtomatami_blokpost",
    "ru_avtomatov_granitsa",
    "ru_avtomat_vokzal",
    "ru_avtomaty_dagestan",
}
_GRANATA = {"ru_granaty_posylka", "ru_granata_samara"}
_SARUKH = {"ar_sarukh_makhzan", "ar_alsarukh_aden", "ar_bilsarukh_qarib"}
_DRONE = {"en_drones_poland", "fr_drones_bamako", "es_drones_carteles"}
# Designations, each written in several ways across the corpus.
_AK47 = {
    "en_ak47_mombasa",  # AK-47
    "en_ak47_chad",  # AK47
    "en_ak_libya",  # AK 47
    "fr_fusils_mali",  # AK-47
    "es_fusiles_cauca",  # ak-47
    "ru_avtomatov_granitsa",  # AK-47 (Latin letters)
    "ar_ak47_saada",  # AK47
}
_RPG7 = {
    "en_ak_libya",  # RPG-7
    "en_rpg7_somalia",  # RPG7
    "fr_rpg_bangui",  # RPG 7
    "es_cohetes_sinaloa",  # RPG-7
    "ru_rpg7_groznyi",  # RPG-7
    "ar_rpg7_mosul",  # RPG-7
}
_9M133 = {"en_kornet_sudan", "fr_kornet_sahel", "ru_kornet_video"}  # 9M133, 9M133, 9M-133
_M16A4 = {"en_m16a4_yemen", "es_m16a4_honduras", "ar_m16a4_anbar"}  # M16A4, M16-A4, M16A4
_LANG = {
    "en": {
        "en_near_three",
        "en_kornet_sudan",
        "en_kornet_far",
        "en_ak47_mombasa",
        "en_ak47_chad",
        "en_ak_libya",
        "en_rpg7_somalia",
        "en_m16a4_yemen",
        "en_ak74_mostar",
        "en_m16_mindanao",
        "en_grenades_goma",
        "en_smugglers_rosso",
        "en_drones_poland",
        "en_airsoft_durban",
        "en_arms_sahel",
        "en_launcher_basra",
        "en_carbines_haiti",
    },
    "fr": {
        "fr_fusils_mali",
        "fr_fusil_gao",
        "fr_blindes_tchad",
        "fr_blindee_niamey",
        "fr_blinde_menaka",
        "fr_rpg_bangui",
        "fr_kornet_sahel",
        "fr_grenades_goma",
        "fr_munitions_abidjan",
        "fr_drones_bamako",
        "fr_armes_lac_tchad",
    },
    "es": {
        "es_fusiles_cauca",
        "es_fusil_rosario",
        "es_cohetes_sinaloa",
        "es_cohete_michoacan",
        "es_m16a4_honduras",
        "es_misiles_zulia",
        "es_granadas_guayaquil",
        "es_traficantes_sonora",
        "es_rpg29_siria",
        "es_drones_carteles",
        "es_cargamento_callao",
    },
    "ru": {
        "ru_avtomaty_rostov",
        "ru_avtomatami_blokpost",
        "ru_avtomatov_granitsa",
        "ru_avtomat_vokzal",
        "ru_avtomaty_dagestan",
        "ru_granaty_posylka",
        "ru_granata_samara",
        "ru_kornet_video",
        "ru_rpg7_groznyi",
        "ru_bespilotniki",
        "ru_rakety_port",
    },
    "ar": {
        "ar_sarukh_makhzan",
        "ar_alsarukh_aden",
        "ar_bilsarukh_qarib",
        "ar_sawarikh_hudaydah",
        "ar_asliha_tripoli",
        "ar_ak47_saada",
        "ar_rpg7_mosul",
        "ar_m16a4_anbar",
        "ar_dhakhira_shahina",
        "ar_qadhifa_souq",
        "ar_musayyara",
    },
}


CASES: tuple[SearchCase, ...] = (
    # --- English inflections (Porter2) -----------------------------------------------------------
    _case("rifle", _RIFLE, "singular finds plural 'rifles' and singular 'rifle' (stem rifl)"),
    _case("rifles", _RIFLE, "plural finds the singular 'assault rifle' of en_smugglers_rosso too"),
    _case("launchers", _LAUNCHER, "plural query finds documents that only say 'launcher'"),
    _case("launcher", _LAUNCHER, "singular query finds 'launchers'; 'launch tubes' (stem launch) is not a hit"),
    _case("carbine", _CARBINE, "singular finds 'carbines'"),
    _case(
        "smuggling",
        {"en_grenades_goma"},
        "'smuggling' and 'smuggled' share stem smuggl; 'smugglers' (smuggler) does not",
    ),
    _case("smuggled", {"en_grenades_goma"}, "past tense query finds the gerund and the participle, not 'smugglers'"),
    _case("smugglers", {"en_grenades_goma", "en_smugglers_rosso"}, "noun plural finds both documents with 'Smugglers'"),
    _case("seized", {"en_ak47_mombasa"}, "'seized' (seiz) does not find 'seizure' (seizur)"),
    _case("seizure", {"en_launcher_basra"}, "'seizure' does not find 'seized': the stems differ"),
    _case(
        "grenade",
        {"en_grenades_goma", "fr_grenades_goma"},
        "one query word is stemmed per document language: English and French 'grenades'",
    ),
    _case("drones", _DRONE, "plural finds English 'drone', French 'drones' and Spanish 'drones'"),
    _case(
        "pistols", {"en_smugglers_rosso"}, "English 'pistols' does not reach French 'pistolets' nor Spanish 'pistolas'"
    ),
    # --- French inflections ------------------------------------------------------------------
    _case(
        "fusils",
        _FUSIL_FR,
        "French plural finds French 'fusil'; Spanish 'fusil'/'fusiles' do not share the Spanish stem of 'fusils'",
    ),
    _case(
        "fusil", _FUSIL_FR | _FUSIL_ES, "singular is a French and a Spanish word: finds fusil/fusils and fusil/fusiles"
    ),
    _case(
        "armes",
        _ARME_FR | _ARM_EN,
        "French arme/armes (incl. l'arme, d'armes) and, through the English stem arm, 'arms'/'armed'",
    ),
    _case("arme lang:fr", _ARME_FR, "singular finds the plural; the filter keeps only the French documents"),
    _case(
        "=armes",
        {"fr_fusils_mali", "fr_blindee_niamey", "fr_armes_lac_tchad"},
        "exact token: 'armes' only, not 'arme' nor 'arms'",
    ),
    _case("blindés", _BLINDE, "masculine plural finds blindé, blindée, blindés"),
    _case("blindée", _BLINDE, "feminine singular finds the masculine forms"),
    _case("BLINDES", _BLINDE, "case and accents do not matter"),
    _case(
        "pistolets",
        {"fr_munitions_abidjan", "fr_blinde_menaka"},
        "French plural finds 'pistolet'; not English 'pistols' nor Spanish 'pistolas'",
    ),
    _case(
        "trafiquants",
        {"fr_munitions_abidjan", "fr_blindee_niamey"},
        "French plural; Spanish 'traficantes' is another word",
    ),
    _case("saisie", {"fr_fusils_mali", "fr_rpg_bangui"}, "saisie / saisi / saisis share the French stem sais"),
    _case("roquettes", {"fr_rpg_bangui"}, "plural inside the hyphenated 'lance-roquettes' and alone"),
    _case("lance-roquettes", {"fr_rpg_bangui"}, "a hyphenated query word splits like the text does"),
    _case("djamena", {"fr_blindes_tchad"}, "the apostrophe splits N'Djamena into n + djamena"),
    # --- Spanish inflections -----------------------------------------------------------------
    _case(
        "fusiles",
        _FUSIL_ES | _FUSIL_FR,
        "Spanish plural finds 'fusil'; its French stem is fusil too, so French fusil/fusils match",
    ),
    _case("cohete", _COHETE, "singular finds 'cohetes'; 'lanzacohetes' alone would not"),
    _case("cohetes", _COHETE, "plural finds the singular 'cohete'"),
    _case("misil", {"es_misiles_zulia"}, "singular finds 'misiles'"),
    _case("granada", {"es_granadas_guayaquil"}, "singular finds 'granadas'; 'lanzagranadas' has another stem"),
    _case("traficante", {"es_traficantes_sonora"}, "singular finds the plural; French 'trafiquants' is not a hit"),
    _case(
        "cargamentos",
        {"es_cohetes_sinaloa", "es_cargamento_callao"},
        "plural query finds documents with only 'cargamento'",
    ),
    _case(
        "armas",
        {"es_fusiles_cauca", "es_traficantes_sonora"},
        "'armas' (stem armas) does not find 'arma' alone (stem arma)",
    ),
    _case(
        "pistola", {"es_traficantes_sonora"}, "Spanish singular finds 'pistolas'; English 'pistols' has another stem"
    ),
    # --- Russian case endings ----------------------------------------------------------------
    _case("автомат", _AVTOMAT, "nominative singular finds автоматы, автоматами, автоматов"),
    _case("автоматами", _AVTOMAT, "instrumental plural finds every case form"),
    _case("автоматов", _AVTOMAT, "genitive plural finds every case form"),
    _case("АВТОМАТЫ", _AVTOMAT, "upper case Cyrillic query"),
    _case('"автоматами"', {"ru_avtomatami_blokpost"}, "a quoted word is not stemmed"),
    _case("=автомат", {"ru_avtomat_vokzal"}, "exact token only"),
    _case("автоматы NOT автомат", set(), "negating a form of the same stem excludes everything"),
    _case("граната", _GRANATA, "singular finds 'гранаты'; 'гранатометы' has another stem"),
    _case("гранаты", _GRANATA, "plural finds the singular"),
    _case("ракеты", {"ru_kornet_video", "ru_rakety_port"}, "nominative plural finds 'ракетами'"),
    _case("оружие", {"ru_avtomat_vokzal", "ru_bespilotniki"}, "nominative finds genitive 'оружия'"),
    _case("боевики", {"ru_avtomatami_blokpost", "ru_kornet_video"}, "nominative finds genitive 'боевиков'"),
    # --- Arabic article and prefixes ---------------------------------------------------------
    _case("صاروخ", _SARUKH, "bare noun finds الصاروخ and بالصاروخ; the plural صواريخ is another stem"),
    _case("الصاروخ", _SARUKH, "the article is stripped from the query word too"),
    _case("بالصاروخ", _SARUKH, "the preposition+article prefix is stripped"),
    _case('"الصاروخ"', {"ar_alsarukh_aden"}, "quoted: exact token with the article"),
    _case("=صاروخ", {"ar_sarukh_makhzan"}, "exact bare token"),
    _case("صواريخ", {"ar_sawarikh_hudaydah"}, "broken plural finds itself with the article, not the singular"),
    _case("أسلحة", {"ar_asliha_tripoli"}, "indefinite query finds الأسلحة"),
    _case("ذخيرة", {"ar_dhakhira_shahina", "ar_asliha_tripoli"}, "bare noun in two documents"),
    _case("السلاح", {"ar_ak47_saada", "ar_musayyara"}, "article form; الأسلحة (plural) is another stem"),
    # --- phrases and exact words -------------------------------------------------------------
    _case('"assault rifles"', {"en_ak_libya", "en_airsoft_durban"}, "a quoted plural does not find the singular"),
    _case('"assault rifle"', {"en_smugglers_rosso"}, "a quoted singular does not find the plural"),
    _case(
        "assault rifle",
        {"en_ak_libya", "en_airsoft_durban", "en_smugglers_rosso"},
        "unquoted: stemmed AND of both words",
    ),
    _case('"véhicules blindés"', {"fr_blindes_tchad"}, "accented phrase"),
    _case('"vehicules blindes"', {"fr_blindes_tchad"}, "phrase without accents still matches"),
    _case('"voiture blindée"', {"fr_blindee_niamey"}, "feminine phrase"),
    _case('"fusils de chasse"', {"fr_armes_lac_tchad"}, "phrase with a short function word"),
    _case('"rocket launcher"', {"en_launcher_basra"}, "singular phrase"),
    _case('"rocket launchers"', set(), "quoted plural finds no singular: empty"),
    _case(
        'rifles NOT "assault rifles"',
        {"en_ak47_mombasa", "en_ak47_chad", "en_m16a4_yemen", "en_smugglers_rosso"},
        "negation of a phrase keeps the singular 'assault rifle'",
    ),
    _case(
        'rifle -"assault rifles"',
        {"en_ak47_mombasa", "en_ak47_chad", "en_m16a4_yemen", "en_smugglers_rosso"},
        "leading minus on a phrase",
    ),
    _case("=rifles", _RIFLE - {"en_smugglers_rosso"}, "exact token: the singular 'rifle' is not a hit"),
    _case("=fusil", {"fr_fusil_gao", "es_fusil_rosario"}, "exact token across languages, no plurals"),
    _case("=cohetes", {"es_cohetes_sinaloa"}, "exact token: not 'cohete', not 'lanzacohetes'"),
    # --- prefix ------------------------------------------------------------------------------
    _case("lanzacohete*", {"es_cohetes_sinaloa"}, "prefix of a compound"),
    _case("smuggl*", {"en_grenades_goma", "en_smugglers_rosso"}, "prefix covers smuggled, smuggling, smugglers"),
    _case("автомат*", _AVTOMAT, "Cyrillic prefix"),
    _case("гранат*", _GRANATA | {"ru_rpg7_groznyi"}, "prefix also finds 'гранатометы', which stemming does not"),
    _case("blind*", _BLINDE, "prefix on accent-folded tokens"),
    _case("carb*", _CARBINE, "prefix on an English stem"),
    _case("trafi*", {"fr_munitions_abidjan", "fr_blindee_niamey", "es_traficantes_sonora"}, "prefix crosses languages"),
    # --- fuzzy -------------------------------------------------------------------------------
    _case("kornett~", _KORNET, "one extra letter in a 7-letter word"),
    _case("mombassa~", {"en_ak47_mombasa"}, "one extra letter"),
    _case("kalashnikof~1", {"en_ak47_chad"}, "forced one edit: substitution"),
    _case("guayakil~", {"es_granadas_guayaquil"}, "two edits allowed for 8 letters"),
    _case("tegucigalap~1", {"es_m16a4_honduras"}, "a transposition counts as one edit"),
    _case("sudan~", {"en_kornet_sudan", "en_kornet_far"}, "5 letters: one edit allowed, exact match included"),
    _case("misratta~", {"en_ak_libya"}, "doubled letter"),
    # --- proximity ---------------------------------------------------------------------------
    _case('"kornet sudan"~10', {"en_kornet_sudan"}, "in range in the title; en_kornet_far has 38 tokens between them"),
    _case("NEAR(kornet sudan, 10)", {"en_kornet_sudan"}, "NEAR form of the same query"),
    _case("NEAR(kornet sudan, 60)", {"en_kornet_sudan", "en_kornet_far"}, "a wide window reaches the far document"),
    _case('"launchers warehouse"~5', {"en_ak_libya"}, "proximity with stemming"),
    _case('"smuggled grenades"~3', {"en_grenades_goma"}, "any order: the title says 'Grenades smuggled'"),
    _case(
        "NEAR(автоматы границе, 3)", {"ru_avtomatov_granitsa"}, "Russian, stemmed; ru_avtomaty_dagestan is out of range"
    ),
    _case(
        "NEAR(автоматы границе, 40)",
        {"ru_avtomatov_granitsa", "ru_avtomaty_dagestan"},
        "wide window finds the far pair",
    ),
    _case("NEAR(fusil saisi, 5)", {"fr_fusils_mali"}, "French proximity with plural 'fusils'"),
    # --- boolean -----------------------------------------------------------------------------
    _case("rifles OR carbines", _RIFLE | _CARBINE, "OR"),
    _case("rifles or carbines", _RIFLE | _CARBINE, "lowercase or is an operator"),
    _case(
        "(rifles OR carbines) AND (Chad OR Misrata) NOT airsoft",
        {"en_ak47_chad", "en_ak_libya"},
        "grouping with AND, OR, NOT",
    ),
    _case(
        "(rifles or carbines) and (chad or misrata) not airsoft",
        {"en_ak47_chad", "en_ak_libya"},
        "the same in lower case",
    ),
    _case("rifles -Chad", _RIFLE - {"en_ak47_chad"}, "leading minus"),
    _case("rifles NOT Chad", _RIFLE - {"en_ak47_chad"}, "NOT"),
    _case("rifles not chad", _RIFLE - {"en_ak47_chad"}, "lowercase not"),
    _case("Mombasa rifles", {"en_ak47_mombasa"}, "implicit AND"),
    _case("rifles and Mombasa", {"en_ak47_mombasa"}, "lowercase and"),
    _case(
        "Yemen rifles OR launchers",
        {"en_m16a4_yemen", "en_rpg7_somalia"},
        "OR binds tighter: Yemen AND (rifles OR launchers); 'Yemeni' is another stem",
    ),
    _case("(Yemen rifles) OR launchers", {"en_m16a4_yemen"} | _LAUNCHER, "parentheses override the precedence"),
    _case(
        "grenades OR granadas OR гранаты",
        {"en_grenades_goma", "fr_grenades_goma", "es_granadas_guayaquil"} | _GRANATA,
        "OR across languages",
    ),
    _case(
        "lang:en NOT rifle NOT carbines NOT launchers",
        {"en_kornet_sudan", "en_grenades_goma", "en_drones_poland", "en_arms_sahel", "en_near_three"},
        "filter with several negations",
    ),
    _case("rifles zeppelin", set(), "an absent word empties an AND"),
    # --- field scopes ------------------------------------------------------------------------
    _case("title:kornet", {"en_kornet_sudan"}, "only one title names Kornet"),
    _case("text:kornet", _KORNET, "text scope"),
    _case(
        "title:(rifles OR carbines)",
        {"en_ak47_mombasa", "en_m16a4_yemen", "en_airsoft_durban", "en_m16_mindanao", "en_carbines_haiti"},
        "grouped title scope",
    ),
    _case(
        "title:fusiles",
        {"es_fusiles_cauca", "es_m16a4_honduras", "es_fusil_rosario", "fr_fusils_mali", "fr_fusil_gao"},
        "stemmed title scope; fr_armes_lac_tchad has 'fusils' only in its text",
    ),
    _case("author:Okafor", {"en_kornet_sudan", "en_ak47_chad"}, "author scope, one of two authors"),
    _case("author:dubois", {"fr_fusils_mali", "fr_blindes_tchad"}, "author scope is case-insensitive"),
    _case("author:Соколов", {"ru_avtomaty_rostov", "ru_avtomat_vokzal"}, "Cyrillic author"),
    _case("author:حداد", {"ar_sarukh_makhzan", "ar_sawarikh_hudaydah"}, "Arabic author"),
    _case(
        "author:(weber OR brennan)",
        {"en_ak47_chad", "en_drones_poland", "en_rpg7_somalia", "en_m16_mindanao"},
        "grouped author scope",
    ),
    _case("author:benali munitions", {"fr_munitions_abidjan"}, "author scope ANDed with a text word"),
    _case("url:kornet", {"en_kornet_sudan"}, "url tokens"),
    _case("url:sahel", {"en_arms_sahel", "fr_kornet_sahel"}, "url tokens across languages"),
    _case("url:fr drones", {"fr_drones_bamako"}, "url path segment ANDed with a word"),
    _case("Okafor", set(), "authors are not searched by a plain word"),
    # --- designations ------------------------------------------------------------------------
    _case("AK47", _AK47, "joined form finds AK-47, AK47, ak-47 and AK 47"),
    _case("AK-47", _AK47, "hyphenated form"),
    _case("ak-47", _AK47, "lowercase hyphenated form"),
    _case("AK 47", _AK47, "spaced form; AK-74 and a separate '47' do not match"),
    _case("ak47", _AK47, "lowercase joined form"),
    _case("RPG7", _RPG7, "joined form finds RPG-7, RPG7 and RPG 7, not RPG-29"),
    _case("RPG-7", _RPG7, "hyphenated form"),
    _case("rpg-7", _RPG7, "lowercase hyphenated form"),
    _case("RPG 7", _RPG7, "spaced form"),
    _case("9M133", _9M133, "digit-first designation finds 9M-133 too"),
    _case("9M-133", _9M133, "hyphenated digit-first designation"),
    _case("9m133", _9M133, "lowercase"),
    _case("M16A4", _M16A4, "finds M16-A4; plain 'M16' is not a hit"),
    _case("M16-A4", _M16A4, "hyphenated form finds the joined one"),
    _case("m16a4", _M16A4, "lowercase"),
    _case("AK-74", {"en_ak74_mostar"}, "a neighbouring designation stays apart from AK-47"),
    _case("RPG-29", {"es_rpg29_siria"}, "a neighbouring designation stays apart from RPG-7"),
    _case("AK47 RPG7", {"en_ak_libya"}, "two designations ANDed"),
    _case("AK47 OR RPG7", _AK47 | _RPG7, "two designations ORed"),
    _case("AK-47 lang:ru", {"ru_avtomatov_granitsa"}, "designation in a Russian text, with a filter"),
    _case("AK 47 Chad", {"en_ak47_chad"}, "spaced designation followed by a word"),
    _case("RPG7 NOT launchers", _RPG7 - {"en_ak_libya", "en_rpg7_somalia"}, "designation minus a stemmed word"),
    _case("9M133 OR M16A4", _9M133 | _M16A4, "OR of two designations"),
    _case("AK47 airsoft", set(), "replicas are not AK-47s: empty"),
    # --- filters -----------------------------------------------------------------------------
    _case("lang:fr", _LANG["fr"], "filter alone"),
    _case("lang:(fr OR es) fusil", _FUSIL_FR | _FUSIL_ES, "grouped filter with a word"),
    _case("fusils AND lang:fr", _FUSIL_FR, "explicit AND with a filter"),
    _case("kornet OR lang:ru", _KORNET | _LANG["ru"], "OR between a word and a filter"),
    _case("drones OR lang:ar", _DRONE | _LANG["ar"], "OR between a word and a filter"),
    _case("AK47 OR lang:es", _AK47 | _LANG["es"], "OR between a designation and a filter"),
    _case("kornet lang:es", set(), "no Spanish document names Kornet: empty"),
    # --- proximity of three words: the distance counts the words between them all -------------
    _case("NEAR(zorvek quillam tessaril, 4)", {"en_near_three"}, "four words lie between the three"),
    _case("NEAR(tessaril zorvek quillam, 4)", {"en_near_three"}, "in any order"),
    _case("NEAR(zorvek quillam tessaril, 3)", set(), "one word too far"),
    _case('"zorvek tessaril"~5', {"en_near_three"}, "two words, five between"),
    _case('"zorvek tessaril"~4', set(), "two words, one too far"),
)
