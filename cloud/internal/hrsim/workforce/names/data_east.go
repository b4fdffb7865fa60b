package names

// Naming cultures of Northern, Central and Eastern Europe and Türkiye.
var (
	cultureNordic = culture{
		code:   "nordic",
		male:   []string{"Søren", "Jørgen", "Mads", "Rasmus", "Anders", "Bjørn", "Ole", "Magnus", "Frederik", "Kåre", "Jens", "Æsgir", "Lars", "Niels", "Henrik", "Torben", "Morten", "Kasper", "Emil", "Oskar", "Sigurd", "Halvor", "Øyvind", "Håkon", "Tor", "Per"},
		female: []string{"Åse", "Ingrid", "Signe", "Mette", "Kirsten", "Freja", "Sølvi", "Birgitte", "Line", "Marianne", "Ærøe", "Ellinor", "Karen", "Hanne", "Lise", "Astrid", "Ida", "Maja", "Sofie", "Emma", "Tove", "Solveig", "Ragnhild", "Gry", "Liv", "Dorthe"},
		last: []string{"Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen", "Kjær",
			"Møller", "Østergaard", "Åberg", "Dahl", "Bjørnstad", "Ærenlund", "Holm", "Lykkegård", "Bækgaard", "Strøm", "Olsen", "Poulsen", "Johansen", "Knudsen", "Thomsen", "Mortensen", "Jørgensen", "Madsen", "Kristensen", "Berg", "Haugen", "Johannessen", "Lund", "Bakke", "Nygård", "Solberg", "Eriksen", "Lindqvist", "Sjöberg", "Hødnebø"},
		middleM: []string{"Kristian", "Emil", "Holm", "Juul", "Peter", "Johan", "Valdemar", "Aksel"},
		middleF: []string{"Marie", "Louise", "Holm", "Juul", "Sofie", "Kirstine", "Emilie", "Cecilie"},
		middleP: 0.2,
		nick:    map[string]string{"Søren": "Soren", "Bjørn": "Bjorn", "Frederik": "Fred", "Kåre": "Kare", "Birgitte": "Gitte"},
	}
	cultureIS = culture{
		code:    "is",
		middleM: []string{"Þór", "Már", "Örn", "Freyr", "Snær", "Logi"},
		middleF: []string{"Björk", "Ósk", "Rós", "Lilja", "Sól", "Dögg"},
		middleP: 0.3,
		male:    []string{"Þór", "Sigurður", "Guðmundur", "Jón", "Ólafur", "Einar", "Gunnar", "Þórður", "Björn", "Hörður", "Kristján", "Stefán", "Árni", "Halldór", "Baldur", "Ragnar"},
		female:  []string{"Guðrún", "Sigríður", "Kristín", "Þóra", "Helga", "Sigrún", "Ásdís", "Hrafnhildur", "Þórunn", "Ragnhildur", "Anna", "Margrét", "Jóhanna", "Katrín", "Auður", "Bryndís"},
		last: []string{"Jónsson|Jónsdóttir", "Guðmundsson|Guðmundsdóttir", "Sigurðsson|Sigurðardóttir", "Ólafsson|Ólafsdóttir",
			"Einarsson|Einarsdóttir", "Þórðarson|Þórðardóttir", "Magnússon|Magnúsdóttir", "Björnsson|Björnsdóttir", "Gunnarsson|Gunnarsdóttir", "Stefánsson|Stefánsdóttir", "Kristjánsson|Kristjánsdóttir", "Árnason|Árnadóttir", "Halldórsson|Halldórsdóttir", "Ragnarsson|Ragnarsdóttir", "Helgason|Helgadóttir"},
		nick: map[string]string{"Sigurður": "Siggi", "Guðmundur": "Gummi", "Sigríður": "Sigga", "Þór": "Thor"},
	}
	culturePL = culture{
		code:   "pl",
		male:   []string{"Łukasz", "Piotr", "Krzysztof", "Paweł", "Michał", "Tomasz", "Grzegorz", "Wojciech", "Jędrzej", "Bartłomiej", "Jakub", "Marcin", "Adam", "Andrzej", "Stanisław", "Kamil", "Mateusz", "Dawid", "Przemysław", "Sławomir", "Rafał", "Zbigniew"},
		female: []string{"Małgorzata", "Agnieszka", "Katarzyna", "Joanna", "Żaneta", "Magdalena", "Anna", "Zuzanna", "Jadwiga", "Grażyna", "Ewa", "Łucja", "Barbara", "Monika", "Beata", "Dorota", "Aleksandra", "Natalia", "Weronika", "Bożena", "Halina", "Justyna"},
		last: []string{"Nowak|Nowak", "Kowalski|Kowalska", "Wiśniewski|Wiśniewska", "Wójcik|Wójcik", "Kowalczyk|Kowalczyk",
			"Kamiński|Kamińska", "Lewandowski|Lewandowska", "Zieliński|Zielińska", "Szymański|Szymańska", "Woźniak|Woźniak",
			"Dąbrowski|Dąbrowska", "Kozłowski|Kozłowska", "Jankowski|Jankowska", "Mazur|Mazur", "Krawczyk|Krawczyk",
			"Wałęsa|Wałęsa", "Grzegorzewski|Grzegorzewska", "Źródłowski|Źródłowska", "Wiśniewski-Nowak|Wiśniewska-Nowak", "Wróbel|Wróbel", "Pawłowski|Pawłowska", "Michalski|Michalska", "Król|Król", "Wieczorek|Wieczorek", "Jabłoński|Jabłońska", "Nowakowski|Nowakowska", "Majewski|Majewska", "Olszewski|Olszewska", "Stępień|Stępień", "Malinowski|Malinowska", "Jaworski|Jaworska", "Adamczyk|Adamczyk", "Dudek|Dudek", "Nowicki|Nowicka", "Pawlak|Pawlak", "Górski|Górska", "Witkowski|Witkowska", "Walczak|Walczak", "Sikora|Sikora"},
		middleM: []string{"Jan", "Józef", "Stanisław", "Andrzej", "Piotr", "Tadeusz", "Marek", "Kazimierz", "Paweł", "Wojciech"},
		middleF: []string{"Maria", "Anna", "Zofia", "Katarzyna", "Ewa", "Barbara", "Teresa", "Krystyna", "Agnieszka", "Elżbieta"},
		middleP: 0.2,
		nick: map[string]string{"Łukasz": "Luke", "Małgorzata": "Gosia", "Wojciech": "Wojtek", "Katarzyna": "Kasia", "Grzegorz": "Greg",
			"Krzysztof": "Chris", "Bartłomiej": "Bart", "Zuzanna": "Zuza", "Jędrzej": "Andrew"},
	}
	cultureCS = culture{
		code:    "cs",
		middleM: []string{"Josef", "Václav", "Karel", "Jaroslav", "Antonín", "Zdeněk"},
		middleF: []string{"Marie", "Anna", "Božena", "Ludmila", "Zdeňka", "Alena"},
		middleP: 0.05,
		male:    []string{"Jiří", "Tomáš", "Lukáš", "Jan", "Petr", "Ondřej", "Vojtěch", "Matěj", "Martin", "Jakub", "Pavel", "Josef", "Miroslav", "Radek"},
		female:  []string{"Tereza", "Kateřina", "Lucie", "Věra", "Markéta", "Zdeňka", "Šárka", "Jitka", "Eva", "Hana", "Jana", "Petra", "Veronika", "Barbora"},
		last: []string{"Novák|Nováková", "Svoboda|Svobodová", "Novotný|Novotná", "Dvořák|Dvořáková", "Černý|Černá",
			"Procházka|Procházková", "Kučera|Kučerová", "Veselý|Veselá", "Růžička|Růžičková", "Šťastný|Šťastná", "Horák|Horáková", "Němec|Němcová", "Pokorný|Pokorná", "Marek|Marková", "Pospíšil|Pospíšilová", "Hájek|Hájková", "Jelínek|Jelínková", "Král|Králová"},
		nick: map[string]string{"Jiří": "George", "Tomáš": "Tom", "Kateřina": "Katka"},
	}
	cultureHU = culture{
		code:    "hu",
		middleM: []string{"János", "István", "Péter", "Attila", "Béla", "Zsolt", "Csaba", "Miklós"},
		middleF: []string{"Anna", "Mária", "Éva", "Zsuzsanna", "Andrea", "Krisztina", "Hajnalka", "Gréta"},
		middleP: 0.1,
		male:    []string{"Pál", "László", "Gábor", "Zoltán", "Ádám", "Bálint", "Gyula", "Ödön", "István", "József", "Ferenc", "Sándor", "Tamás", "Péter"},
		female:  []string{"Zsófia", "Réka", "Erzsébet", "Katalin", "Ildikó", "Orsolya", "Tünde", "Enikő", "Mária", "Ágnes", "Judit", "Eszter", "Nóra", "Viktória"},
		last:    []string{"Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Erdős", "Szőke", "Kővári", "Fekete", "Győri", "Sárközy", "Kiss", "Molnár", "Németh", "Farkas", "Balogh", "Papp", "Takács", "Juhász", "Lakatos", "Mészáros"},
		nick:    map[string]string{"Zsófia": "Zsófi", "Erzsébet": "Erzsi", "László": "Laci"},
	}
	cultureRO = culture{
		code:    "ro",
		middleM: []string{"Ioan", "Gabriel", "Mihai", "Dan", "Marius", "Cătălin", "Lucian", "Adrian"},
		middleF: []string{"Maria", "Elena", "Ioana", "Mihaela", "Daniela", "Georgiana", "Roxana", "Ștefania"},
		middleP: 0.25,
		// Ș and Ț with a comma below are correct; Ş and Ţ with a cedilla are
		// the legacy look-alikes still found in HR data, so both occur.
		male:   []string{"Ștefan", "Şerban", "Andrei", "Mihai", "Ion", "Răzvan", "Bogdan", "Costin", "Tudor", "Alexandru", "Gheorghe", "Cristian", "Vlad", "Florin", "Sorin"},
		female: []string{"Ioana", "Elena", "Ștefania", "Andreea", "Mădălina", "Irina", "Alexandra", "Ţinca", "Maria", "Cristina", "Ana", "Gabriela", "Raluca", "Oana"},
		last:   []string{"Popescu", "Ionescu", "Popa", "Țurcanu", "Ştefănescu", "Constantinescu", "Dumitrescu", "Stănescu", "Ţepeş", "Munteanu", "Stan", "Stoica", "Gheorghe", "Rusu", "Matei", "Ciobanu", "Lungu", "Moldovan", "Mureșan", "Păun"},
		nick:   map[string]string{"Alexandra": "Alex", "Ștefan": "Stefan", "Mădălina": "Mădă"},
	}
	cultureTR = culture{
		code:    "tr",
		middleM: []string{"Emre", "Can", "Kemal", "Ali", "Deniz", "Tolga", "Erdem", "Onur"},
		middleF: []string{"Nur", "Deniz", "Ece", "Naz", "Gül", "Selin", "Sena", "Ebru"},
		middleP: 0.1,
		male:    []string{"İbrahim", "Çağrı", "Emre", "Yiğit", "Oğuz", "Ömer", "Mustafa", "Işık", "İsmail", "Barış", "Uğur", "Ahmet", "Mehmet", "Ali", "Hüseyin", "Hasan", "Murat", "Serkan", "Burak", "Gökhan", "Tuğrul"},
		female:  []string{"İlknur", "Gülşen", "Şule", "Ayşe", "Elif", "Özge", "Işık", "Zeynep", "Büşra", "Çiğdem", "İpek", "Fatma", "Emine", "Hatice", "Merve", "Esra", "Derya", "Gözde", "Sevgi", "Nazlı", "Dilek"},
		last: []string{"Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Özdemir", "Arslan",
			"Doğan", "Kılıç", "Ağaoğlu", "Işık", "Güneş", "Çakır", "Aksoy", "Koç", "Kurt", "Özkan", "Şimşek", "Polat", "Erdoğan", "Tekin", "Ünal", "Bulut", "Korkmaz", "Aslan", "Turan", "Kaplan", "Güler"},
		nick: map[string]string{"Mustafa": "Musti", "İbrahim": "Ibo", "Çağrı": "Chag", "Zeynep": "Zey"},
	}
	cultureRU = culture{
		code: "ru",
		// Russian middle names are patronymics.
		middleM: []string{"Ivanovich", "Sergeyevich", "Aleksandrovich", "Dmitriyevich", "Nikolayevich", "Vladimirovich",
			"Mikhailovich", "Andreyevich", "Pavlovich", "Yuryevich"},
		middleF: []string{"Ivanovna", "Sergeyevna", "Aleksandrovna", "Dmitriyevna", "Nikolayevna", "Vladimirovna",
			"Mikhailovna", "Andreyevna", "Pavlovna", "Yuryevna"},
		middleP: 0.6,
		male:    []string{"Aleksei", "Dmitri", "Ivan", "Sergei", "Mikhail", "Andrei", "Nikolai", "Pavel", "Vladimir", "Yevgeny", "Artyom", "Maksim", "Roman", "Konstantin"},
		female:  []string{"Olga", "Natalia", "Yekaterina", "Anastasia", "Tatiana", "Yulia", "Irina", "Svetlana", "Yelena", "Mariya", "Darya", "Kseniya", "Polina", "Vera"},
		last: []string{"Smirnov|Smirnova", "Ivanov|Ivanova", "Kuznetsov|Kuznetsova", "Popov|Popova", "Sokolov|Sokolova",
			"Volkov|Volkova", "Fyodorov|Fyodorova", "Lebedev|Lebedeva", "Kozlov|Kozlova", "Novikov|Novikova", "Morozov|Morozova", "Petrov|Petrova", "Pavlov|Pavlova", "Semyonov|Semyonova", "Golubev|Golubeva"},
		local: map[string]string{"Aleksei": "Алексей", "Dmitri": "Дмитрий", "Ivan": "Иван", "Sergei": "Сергей", "Mikhail": "Михаил",
			"Andrei": "Андрей", "Olga": "Ольга", "Natalia": "Наталья", "Yekaterina": "Екатерина", "Anastasia": "Анастасия",
			"Tatiana": "Татьяна", "Yulia": "Юлия", "Smirnov": "Смирнов", "Smirnova": "Смирнова", "Ivanov": "Иванов",
			"Ivanova": "Иванова", "Kuznetsov": "Кузнецов", "Kuznetsova": "Кузнецова", "Popov": "Попов", "Popova": "Попова",
			"Sokolov": "Соколов", "Sokolova": "Соколова", "Volkov": "Волков", "Volkova": "Волкова", "Fyodorov": "Фёдоров",
			"Fyodorova": "Фёдорова"},
		localP: 0.5,
		nick:   map[string]string{"Aleksei": "Alex", "Dmitri": "Dima", "Yekaterina": "Katya", "Anastasia": "Nastya", "Mikhail": "Misha"},
	}
)
