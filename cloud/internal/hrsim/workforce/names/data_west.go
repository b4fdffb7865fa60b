package names

// Naming cultures of the Americas, the British Isles and Western Europe.
// Surnames are in rough frequency order (drawn Zipf-like, hr-data-shapes.md
// §1.3); "male|female" gives a surname's feminine form.
var (
	cultureEN = culture{
		code: "en",
		male: []string{"James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Christopher",
			"Daniel", "Matthew", "Anthony", "Mark", "Jonathan", "Alexander", "Joshua", "Kevin", "Brian", "Tyler", "Dwayne", "Andrés",
			"Andrew", "Ryan", "Nicholas", "Eric", "Stephen", "Jacob", "Gary", "Timothy", "Larry", "Jeffrey", "Frank", "Scott",
			"Justin", "Brandon", "Benjamin", "Samuel", "Gregory", "Raymond", "Patrick", "Jack", "Dennis", "Jerry", "Aaron", "DeShawn"},
		female: []string{"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen",
			"Nancy", "Margaret", "Katherine", "Samantha", "Rebecca", "Emily", "Ashley", "Michelle", "Amanda", "Zoë", "Renée", "Chloë",
			"Lisa", "Betty", "Sandra", "Donna", "Carol", "Ruth", "Sharon", "Laura", "Kimberly", "Deborah", "Stephanie", "Dorothy",
			"Amy", "Angela", "Helen", "Anna", "Brenda", "Pamela", "Nicole", "Christine", "Janet", "Catherine", "Heather", "LaToya"},
		last: []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
			"Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris",
			"Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams",
			"Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins",
			"Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Bell", "Bailey", "Rivera", "Cooper",
			"Richardson", "Cox", "Howard", "Ward", "Torres", "Peterson", "Gray", "Ramirez", "James", "Watson", "Brooks",
			"Sanders", "Price", "Bennett", "Wood", "Barnes", "Ross", "Henderson", "Coleman", "Jenkins", "Perry", "Powell",
			"Long", "Patterson", "Hughes", "Flores", "Washington", "Butler", "Simmons", "Foster", "Bryant", "Russell",
			"Griffin", "Hayes", "Nguyen", "Kim", "Patel", "Chen", "Schwartz", "Kowalski", "Sullivan", "Wallace", "O'Brien", "O'Neil", "O'Connor", "D'Angelo", "McDonald",
			"MacArthur", "McKenzie", "Brontë", "Smith-Jones", "Fitzgerald", "DiMaggio", "Kealoha", "Keihanaikukauakahihuliheekahaunaele", "Bradley", "Lawrence", "Holmes", "Fischer", "Goldberg", "Singh", "Yamamoto", "Hernandez", "Lopez", "Gonzalez", "Perez", "Sanchez", "Ramos", "Cruz", "Reyes", "Morales", "Ortiz", "Castillo", "Kaur", "Ali"},
		middleM: []string{"James", "Lee", "Michael", "Allen", "Edward", "Ray", "Thomas", "A.", "J.", "R.", "John", "William",
			"David", "Paul", "Joseph", "Scott", "Wayne", "Alan", "Dean", "Christopher", "Andrew", "Patrick", "Daniel",
			"Robert", "Charles", "Eugene", "Francis", "Henry", "Louis", "Richard", "Anthony", "Matthew", "Douglas"},
		middleF: []string{"Marie", "Ann", "Lynn", "Elizabeth", "Rose", "Jane", "Louise", "M.", "K.", "E.", "Grace", "Nicole",
			"Lee", "Michelle", "Renee", "Kay", "Jean", "Mae", "Faith", "Catherine", "Diane", "Suzanne", "Elaine", "Christine",
			"Anne", "Frances", "Joy", "Leigh", "Margaret", "Hope", "Victoria", "Alexandra", "Danielle"},
		middleP: 0.55,
		nick: map[string]string{"Robert": "Bob", "William": "Bill", "Elizabeth": "Liz", "Katherine": "Kate", "Michael": "Mike",
			"Jennifer": "Jen", "James": "Jim", "Margaret": "Peggy", "Richard": "Rick", "Christopher": "Chris", "Jonathan": "Jon",
			"Alexander": "Alex", "Samantha": "Sam", "Thomas": "Tom", "Daniel": "Dan", "Rebecca": "Becky", "Patricia": "Trish",
			"Joseph": "Joe", "Anthony": "Tony", "Matthew": "Matt", "Joshua": "Josh", "Susan": "Sue", "Barbara": "Barb"},
		prefixes: true,
	}
	cultureGA = culture{
		code:   "ga",
		male:   []string{"Seán", "Pádraig", "Eoin", "Cian", "Oisín", "Ciarán", "Darragh", "Colm", "Tadhg", "Conor", "Liam", "Declan", "Fionn", "Rónán", "Diarmuid", "Dónal", "Cathal", "Fiachra", "Ruairí", "Odhrán"},
		female: []string{"Siobhán", "Aoife", "Niamh", "Caoimhe", "Róisín", "Máire", "Saoirse", "Gráinne", "Clodagh", "Orla", "Sinéad", "Éabha", "Aisling", "Fionnuala", "Muireann", "Bláthnaid", "Ailbhe", "Sadhbh", "Úna", "Deirbhile"},
		last: []string{"Murphy", "Kelly", "O'Sullivan", "Walsh", "Byrne", "Ryan", "O'Brien", "O’Brien", "Ó Súilleabháin", "Ní Bhriain|Ní Bhriain",
			"Mac Cárthaigh", "Ó Briain|Ní Bhriain", "O'Connor", "McCarthy", "Doyle", "Ó Ceallaigh|Ní Cheallaigh", "Mac Giolla Phádraig", "Kavanagh", "Ó Dónaill", "Mac Mathúna", "Nic Amhlaoibh", "O'Donnell", "O'Reilly", "Quinn", "Brennan", "Gallagher", "Ó Néill|Ní Néill", "Dunne"},
		middleM: []string{"Pádraig", "Seosamh", "Míchéal", "Tomás"},
		middleF: []string{"Máire", "Bríd", "Áine", "Nóra"},
		middleP: 0.25,
		nick:    map[string]string{"Siobhán": "Shiv", "Pádraig": "Paddy", "Caoimhe": "Keeva", "Tadhg": "Tiger", "Seán": "John", "Éabha": "Eva"},
	}
	cultureES = culture{
		code:    "es",
		middleM: []string{"Luis", "Carlos", "Antonio", "Manuel", "Miguel", "Ignacio", "Ramón", "Tomás"},
		middleF: []string{"José", "Isabel", "Teresa", "Luisa", "Elena", "Carmen", "Pilar", "Dolores"},
		middleP: 0.05,
		male:    []string{"José", "Jesús", "Ángel", "Iñaki", "Sergio", "Alejandro", "Javier", "Francisco", "Juan Carlos", "Andrés", "Rubén", "José María", "Manuel", "Antonio", "David", "Daniel", "Pablo", "Álvaro", "Adrián", "Raúl", "Óscar", "Íñigo", "Joaquín", "Martín"},
		female:  []string{"María", "Lucía", "Ana", "Sofía", "Inés", "Begoña", "María José", "María de los Ángeles", "Carmen", "Paula", "Nuria", "Ximena", "Laura", "Marta", "Elena", "Cristina", "Pilar", "Raquel", "Rocío", "Alba", "Noelia", "Mónica", "Ángela", "Consuelo"},
		last: []string{"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Núñez",
			"Muñoz", "Ibáñez", "Jiménez", "Hernández", "Ruiz", "Díaz", "de la Cruz", "del Río", "Fernández de Córdoba", "Peña", "Castañeda", "Álvarez", "Romero", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Serrano", "Blanco", "Molina", "Morales", "Ortiz", "Delgado", "Castro", "Ortega", "Rubio", "Marín", "Sanz", "Iglesias", "Medina"},
		secondLast: true,
		nick:       map[string]string{"José": "Pepe", "Francisco": "Paco", "Jesús": "Chuy", "María José": "Majo", "Ignacio": "Nacho", "Alejandro": "Alex"},
	}
	culturePT = culture{
		code:    "pt",
		middleM: []string{"Henrique", "Eduardo", "Carlos", "Augusto", "Paulo", "Vítor", "Felipe", "Otávio"},
		middleF: []string{"Clara", "Eduarda", "Luíza", "Cristina", "Vitória", "Paula", "Helena", "Aparecida"},
		middleP: 0.3,
		male:    []string{"João", "José", "Antônio", "Luís", "Gonçalo", "Sebastião", "Thiago", "Lucas", "Mateus", "Rafael", "Caio", "Pedro", "Gabriel", "Miguel", "Arthur", "Heitor", "Davi", "Bernardo", "Vinícius", "Guilherme", "Gustavo"},
		female:  []string{"Maria", "Conceição", "Luísa", "Fernanda", "Beatriz", "Letícia", "Ana Júlia", "Gabriela", "Patrícia", "Mônica", "Ana", "Juliana", "Camila", "Larissa", "Vitória", "Lívia", "Helena", "Cecília", "Isabela", "Débora"},
		last: []string{"Silva", "Santos", "Oliveira", "Souza", "Pereira", "Lima", "Gonçalves", "Araújo", "Magalhães", "Ferreira",
			"dos Santos", "da Silva", "da Costa", "Brandão", "Assunção", "Conceição", "Simões", "Rodrigues", "Almeida", "Nascimento", "Carvalho", "Ribeiro", "Rocha", "Barbosa", "Moreira", "Cardoso", "Teixeira", "Correia", "Pinto"},
		secondLast: true,
		nick:       map[string]string{"José": "Zé", "Antônio": "Tonho", "Fernanda": "Nanda", "Gabriela": "Gabi"},
	}
	cultureFR = culture{
		code:    "fr",
		middleM: []string{"Marie", "Pierre", "Jean", "Louis", "Paul", "Henri", "Michel", "André", "Joseph", "Gérard"},
		middleF: []string{"Marie", "Anne", "Claire", "Louise", "Sophie", "Hélène", "Françoise", "Jeanne", "Cécile", "Aurore"},
		middleP: 0.1,
		male:    []string{"François", "Jérôme", "Benoît", "Loïc", "Thierry", "Nicolas", "Étienne", "Jean-Luc", "Jean-François", "Mathéo", "Gaël", "Pierre", "Julien", "Sébastien", "Guillaume", "Rémi", "Hervé", "Frédéric", "Aurélien", "Théo", "Cédric"},
		female:  []string{"Hélène", "Zoë", "Chloé", "Cécile", "Anaïs", "Maëlle", "Françoise", "Marie-Hélène", "Léa", "Noémie", "Éloïse", "Camille", "Céline", "Margaux", "Élodie", "Amélie", "Inès", "Agnès", "Béatrice", "Solène", "Laëtitia"},
		last: []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Lefèvre", "Hébert", "Lemaître",
			"Girard", "Rousseau", "D'Almeida", "N'Diaye", "Œuvray", "Bénard", "Müller", "Le Goff", "de Saint-Exupéry", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez"},
		nick: map[string]string{"François": "Frank", "Jean-François": "JF", "Nicolas": "Nico", "Françoise": "Fanny"},
	}
	cultureDE = culture{
		code:   "de",
		male:   []string{"Lukas", "Maximilian", "Jürgen", "Jörg", "Günther", "Stefan", "Matthias", "Jan", "Sönke", "Björn", "Johannes", "Hans-Peter", "Andreas", "Michael", "Thomas", "Tobias", "Florian", "Sebastian", "Tim", "Niklas", "Jürgen", "Dieter", "Uwe", "Wolfgang", "Björn", "Jens"},
		female: []string{"Anna", "Katharina", "Sabine", "Ursula", "Jutta", "Lea", "Marie", "Hannah", "Käthe", "Bärbel", "Jördis", "Anna-Lena", "Julia", "Laura", "Sarah", "Christina", "Nicole", "Stefanie", "Petra", "Monika", "Birgit", "Heike", "Susanne", "Daniela", "Jana", "Gülay"},
		last: []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
			"Groß", "Weiß", "Köhler", "Schäfer", "Krüger", "Strauß", "Müller-Lüdenscheidt", "von Bülow", "Meißner", "Öztürk", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Hofmann", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köster", "Jäger", "Böhm", "Vogel"},
		middleM: []string{"Heinrich", "Wilhelm", "Karl", "Friedrich", "Josef", "Johann", "Peter", "Michael", "Alexander", "Georg", "Christian", "Ludwig"},
		middleF: []string{"Marie", "Luise", "Sophie", "Charlotte", "Maria", "Anna", "Johanna", "Elisabeth", "Katharina", "Christine", "Theresa", "Helene"},
		middleP: 0.15,
		nick:    map[string]string{"Johannes": "Hannes", "Maximilian": "Max", "Katharina": "Kathi", "Matthias": "Matze", "Hans-Peter": "HP"},
	}
	cultureNL = culture{
		code:    "nl",
		middleM: []string{"Willem", "Hendrik", "Johannes", "Cornelis", "Jacobus", "Gerardus", "Pieter", "Adrianus"},
		middleF: []string{"Maria", "Johanna", "Cornelia", "Elisabeth", "Wilhelmina", "Geertruida", "Hendrika", "Catharina"},
		middleP: 0.15,
		male:    []string{"Jan", "Pieter", "Sjoerd", "IJsbrand", "Daan", "Bram", "Joost", "Maarten", "Ruud", "Thijs", "Willem", "Hendrik", "Gijs", "Sven", "Niels", "Jeroen", "Wouter", "Bas", "Koen", "Stijn"},
		female:  []string{"Anouk", "Femke", "Sanne", "Lotte", "Maaike", "Marieke", "Eline", "IJke", "Roos", "Noëlle", "Sophie", "Emma", "Julia", "Iris", "Fleur", "Esther", "Ingrid", "Willemijn", "Anneke", "Mirjam"},
		last: []string{"de Jong", "Jansen", "de Vries", "van den Berg", "van der Berg", "van Dijk", "Bakker", "Visser", "Smit",
			"Meijer", "de Boer", "van 't Hof", "van der Meer", "Bos", "van Leeuwen", "IJzerman", "Mulder", "de Groot", "Vos", "Peters", "Hendriks", "Dekker", "van Beek", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Linden", "Kok", "Jacobs", "de Haan"},
		nick: map[string]string{"Pieter": "Piet", "Maarten": "Tijn", "Marieke": "Mariek"},
	}
	cultureMI = culture{
		code:   "mi",
		male:   []string{"Wiremu", "Tāne", "Hēmi", "Rāwiri", "Nikau", "Tamati"},
		female: []string{"Aroha", "Mere", "Ngaio", "Kahurangi", "Anahera", "Mereana"},
		last:   []string{"Ngata", "Parata", "Tāwhai", "Te Whata", "Pōmare", "Hōhaia", "Te Rangi"},
		nick:   map[string]string{"Wiremu": "Bill", "Hēmi": "James", "Rāwiri": "David"},
	}
)
