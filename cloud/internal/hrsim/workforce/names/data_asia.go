package names

// Naming cultures of Asia. Given names are kept in First and family names
// in Last, whatever order the culture writes them in; native-script forms
// go to LocalFirst/LocalLast.
var (
	// Vietnamese surname shares from hr-data-shapes.md §1.3 [source:
	// Vietnamese surname table]: Nguyễn 38 %, Trần 11 %, Lê 9.5 %, Phạm
	// 7.1 %, Huỳnh/Hoàng 5.1 %, Vũ/Võ 3.9 %, Đặng 2.1 %, Bùi 2 %.
	cultureVI = culture{
		code: "vi",
		male: []string{"Anh", "Minh", "Hùng", "Dũng", "Tuấn", "Huy", "Khoa", "Long", "Bảo", "Đức", "Quốc", "Thắng", "Phúc",
			"Khánh", "Nam", "Hải", "Sơn", "Trung", "Việt", "Hiếu", "Nghĩa", "Toàn", "Lộc", "Thịnh", "Cường"},
		female: []string{"Hương", "Lan", "Phương", "Thảo", "Linh", "Hà", "Quỳnh", "Trang", "Nhung", "Yến", "Ngọc", "Tâm", "Hạnh",
			"Mai", "Hằng", "Nga", "Thúy", "Vy", "Uyên", "Diệp", "Oanh", "Châu", "Hồng", "Loan", "Ánh"},
		last:    []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"},
		lastW:   []float64{38, 11, 9.5, 7.1, 2.6, 2.5, 2, 1.9, 2.1, 2, 1.4, 1.3, 1.3, 1, 0.5},
		middleM: []string{"Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Công", "Xuân", "Quốc", "Trọng", "Tiến", "Hoàng"},
		middleF: []string{"Thị", "Ngọc", "Thu", "Thanh", "Minh", "Bích", "Thùy", "Kim", "Mỹ", "Phương", "Hoài", "Diễm"},
		middleP: 0.9,
		adopts:  true,
	}
	// Korean shares from hr-data-shapes.md §1.3 [source: onomastics
	// article]: Kim ~20-22 %, Kim + Lee + Park ≈ 45 %. Given names are two
	// syllables, romanised "Min-jun" and written 민준.
	cultureKO = culture{
		code:  "ko",
		last:  []string{"Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh", "Seo", "Shin", "Kwon"},
		lastW: []float64{21.5, 14.7, 8.4, 4.7, 4.3, 2.3, 2.1, 2.1, 2.0, 1.7, 1.5, 1.5, 1.4, 1.4, 1.4},
		syllables: &syllables{sep: "-",
			first: []syl{{"Min", "민"}, {"Seo", "서"}, {"Ji", "지"}, {"Ha", "하"}, {"Do", "도"}, {"Ye", "예"}, {"Hyun", "현"},
				{"Jun", "준"}, {"Eun", "은"}, {"Si", "시"}, {"Su", "수"}, {"Chae", "채"}, {"Yu", "유"}, {"Da", "다"}, {"Ju", "주"},
				{"Na", "나"}, {"So", "소"}, {"Hye", "혜"}, {"Sung", "성"}, {"Young", "영"}, {"Tae", "태"}, {"Jae", "재"},
				{"Hae", "해"}, {"Woo", "우"}, {"Yeon", "연"}, {"Dong", "동"}, {"Kyung", "경"}, {"Sang", "상"}, {"Jeong", "정"}, {"Mi", "미"}},
			male: []syl{{"jun", "준"}, {"hoon", "훈"}, {"woo", "우"}, {"ho", "호"}, {"won", "원"}, {"jin", "진"}, {"hyuk", "혁"},
				{"sung", "성"}, {"min", "민"}, {"seok", "석"}, {"yong", "용"}, {"hyun", "현"}, {"wook", "욱"}, {"chul", "철"}, {"gyu", "규"}},
			female: []syl{{"yeon", "연"}, {"eun", "은"}, {"bin", "빈"}, {"ah", "아"}, {"hee", "희"}, {"young", "영"}, {"seo", "서"},
				{"yun", "윤"}, {"rin", "린"}, {"kyung", "경"}, {"mi", "미"}, {"ji", "지"}, {"jung", "정"}, {"sook", "숙"}, {"hwa", "화"}}},
		local: map[string]string{"Kim": "김", "Lee": "이", "Park": "박", "Choi": "최", "Jung": "정", "Kang": "강", "Cho": "조",
			"Yoon": "윤", "Jang": "장", "Lim": "임", "Han": "한", "Oh": "오", "Seo": "서", "Shin": "신", "Kwon": "권"},
		localP: 0.8,
		adopts: true,
	}
	cultureJA = culture{
		code: "ja",
		male: []string{"Hiroshi", "Ken", "Takeshi", "Daiki", "Shōta", "Yūki", "Ren", "Haruto", "Kenta", "Tarō", "Takumi", "Sōta",
			"Kaito", "Riku", "Yamato", "Kōji", "Makoto", "Naoki", "Satoshi", "Tetsuya", "Yūsuke", "Kazuki", "Ryō", "Daisuke"},
		female: []string{"Yui", "Sakura", "Aoi", "Haruka", "Yūko", "Akiko", "Misaki", "Emi", "Naoko", "Kyōko", "Mei", "Hina",
			"Rin", "Yuna", "Mio", "Saki", "Ayaka", "Megumi", "Tomoko", "Keiko", "Kana", "Nanami", "Asuka", "Chihiro"},
		last: []string{"Satō", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Itō", "Yamamoto", "Nakamura", "Kobayashi", "Katō",
			"Yoshida", "Yamada", "Sasaki", "Saitō", "Matsumoto", "Inoue", "Kimura", "Hayashi", "Shimizu", "Yamaguchi",
			"Mori", "Abe", "Ikeda", "Hashimoto", "Ishikawa", "Ogawa", "Fujita", "Okada", "Gotō", "Hasegawa",
			"Murakami", "Kondō", "Ishii", "Sakamoto", "Endō", "Aoki", "Fujii", "Nishimura", "Fukuda", "Ōta",
			"Miura", "Fujiwara", "Okamoto", "Matsuda", "Nakagawa", "Nakano", "Harada", "Ono", "Tamura", "Takeuchi"},
		local: map[string]string{"Satō": "佐藤", "Suzuki": "鈴木", "Takahashi": "高橋", "Tanaka": "田中", "Watanabe": "渡辺",
			"Itō": "伊藤", "Yamamoto": "山本", "Nakamura": "中村", "Kobayashi": "小林", "Katō": "加藤", "Yoshida": "吉田",
			"Yamada": "山田", "Sasaki": "佐々木", "Saitō": "斎藤", "Matsumoto": "松本", "Inoue": "井上", "Kimura": "木村",
			"Hayashi": "林", "Shimizu": "清水", "Yamaguchi": "山口", "Mori": "森", "Abe": "阿部", "Ikeda": "池田",
			"Hashimoto": "橋本", "Ishikawa": "石川", "Ogawa": "小川", "Fujita": "藤田", "Okada": "岡田", "Gotō": "後藤",
			"Hasegawa": "長谷川", "Murakami": "村上", "Kondō": "近藤", "Ishii": "石井", "Sakamoto": "坂本", "Endō": "遠藤",
			"Aoki": "青木", "Fujii": "藤井", "Nishimura": "西村", "Fukuda": "福田", "Ōta": "太田", "Miura": "三浦",
			"Fujiwara": "藤原", "Okamoto": "岡本", "Matsuda": "松田", "Nakagawa": "中川", "Nakano": "中野", "Harada": "原田",
			"Ono": "小野", "Tamura": "田村", "Takeuchi": "竹内", "Hiroshi": "博", "Ken": "健", "Takeshi": "武", "Daiki": "大輝", "Shōta": "翔太", "Yūki": "勇気",
			"Ren": "蓮", "Haruto": "陽翔", "Kenta": "健太", "Tarō": "太郎", "Takumi": "拓海", "Sōta": "颯太", "Kaito": "海斗",
			"Riku": "陸", "Yamato": "大和", "Kōji": "浩二", "Makoto": "誠", "Naoki": "直樹", "Satoshi": "聡", "Tetsuya": "哲也",
			"Yūsuke": "雄介", "Kazuki": "一輝", "Ryō": "涼", "Daisuke": "大輔", "Yui": "結衣", "Sakura": "さくら", "Aoi": "葵",
			"Haruka": "遥", "Yūko": "裕子", "Akiko": "明子", "Misaki": "美咲", "Emi": "恵美", "Naoko": "直子", "Kyōko": "京子",
			"Mei": "芽依", "Hina": "陽菜", "Rin": "凛", "Yuna": "結菜", "Mio": "澪", "Saki": "咲", "Ayaka": "彩花", "Megumi": "恵",
			"Tomoko": "智子", "Keiko": "恵子", "Kana": "佳奈", "Nanami": "七海", "Asuka": "明日香", "Chihiro": "千尋"},
		localP:    0.8,
		macronsP:  0.25, // otherwise Satō is keyed as Sato, Yūko as Yuko
		adopts:    true,
		adoptRare: true,
	}
	// Chinese names as keyed in Singapore: family name, then a two-syllable
	// given name "Wei Ming" (伟明).
	cultureZH = culture{
		code: "zh",
		last: []string{"Tan", "Lim", "Lee", "Ng", "Ong", "Wong", "Goh", "Chua", "Chan", "Koh", "Teo", "Zhang", "Wang", "Liu",
			"Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo"},
		syllables: &syllables{sep: " ",
			first: []syl{{"Wei", "伟"}, {"Jun", "俊"}, {"Zhi", "志"}, {"Jia", "家"}, {"Kai", "凯"}, {"Hao", "浩"}, {"Xin", "欣"},
				{"Hui", "慧"}, {"Mei", "美"}, {"Shu", "淑"}, {"Yu", "雨"}, {"Xiao", "晓"}, {"Li", "丽"}, {"Ming", "明"},
				{"Yi", "怡"}, {"Zi", "子"}, {"Jian", "建"}, {"Yong", "永"}, {"Qing", "清"}, {"Wen", "文"}},
			male: []syl{{"Ming", "明"}, {"Jie", "杰"}, {"Hao", "豪"}, {"Wen", "文"}, {"Sheng", "盛"}, {"Guo", "国"}, {"Long", "龙"},
				{"Feng", "峰"}, {"Qiang", "强"}, {"Bin", "斌"}, {"Tao", "涛"}},
			female: []syl{{"Ling", "玲"}, {"Yi", "怡"}, {"Min", "敏"}, {"Na", "娜"}, {"Fen", "芬"}, {"Xuan", "萱"}, {"Hong", "红"},
				{"Ting", "婷"}, {"Qian", "倩"}, {"Yan", "燕"}, {"Jing", "静"}}},
		local: map[string]string{"Tan": "陈", "Lim": "林", "Lee": "李", "Ng": "黄", "Ong": "王", "Wong": "黄", "Goh": "吴",
			"Chua": "蔡", "Chan": "陈", "Koh": "许", "Teo": "张", "Zhang": "张", "Wang": "王", "Liu": "刘", "Chen": "陈",
			"Yang": "杨", "Huang": "黄", "Zhao": "赵", "Wu": "吴", "Zhou": "周", "Xu": "徐", "Sun": "孙", "Ma": "马", "Zhu": "朱",
			"Hu": "胡", "Guo": "郭", "He": "何", "Lin": "林", "Gao": "高", "Luo": "罗"},
		localP: 0.5,
		adopts: true,
	}
	cultureHI = culture{
		code: "hi",
		male: []string{"Rahul", "Amit", "Arjun", "Vikram", "Sanjay", "Rajesh", "Suresh", "Karthik", "Venkatesh", "Aditya", "Rohan",
			"Sai Krishna", "Anil", "Deepak", "Manoj", "Ravi", "Srinivas", "Prakash", "Nikhil", "Harish", "Gaurav", "Vivek", "Ajay",
			"Mohammed", "Imran", "Gurpreet", "Arun", "Ganesh", "Naveen", "Pranav"},
		female: []string{"Priya", "Ananya", "Divya", "Lakshmi", "Sneha", "Pooja", "Kavya", "Deepika", "Meenakshi", "Aishwarya",
			"Lakshmi Priya", "Swati", "Neha", "Anjali", "Shruti", "Ritu", "Sunita", "Kavitha", "Revathi", "Harpreet", "Fatima",
			"Nandini", "Shalini", "Radhika", "Madhuri", "Bhavana", "Sowmya", "Aparna", "Geetha", "Ishita"},
		last: []string{"Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Rao", "Krishnan", "Srinivasan",
			"Subramanian", "Venkataraghavan", "Balasubramaniam", "Chandrasekaran", "Ramakrishnan", "Bhattacharya", "Mehta",
			"Joshi", "Shah", "Desai", "Verma", "Agarwal", "Mishra", "Pillai", "Menon", "Banerjee", "Chatterjee", "Mukherjee",
			"Das", "Khan", "Ahmed", "Naidu", "Kulkarni", "Deshpande", "Chowdhury", "Malhotra", "Kapoor", "Sethi", "Gill"},
		middleM: []string{"Kumar", "Prasad", "Nath", "K.", "R.", "S.", "V.", "M.", "Chandra", "Lal"},
		middleF: []string{"Devi", "Kumari", "Rani", "K.", "R.", "S.", "V.", "M.", "Lakshmi", "Bai"},
		middleP: 0.3,
		nick:    map[string]string{"Venkatesh": "Venky", "Rajesh": "Raj", "Aishwarya": "Ash", "Sai Krishna": "Sai", "Lakshmi Priya": "Priya"},
	}
	// Indonesian names: many people have a single name, keyed as the last
	// name with the first name empty (hr-data-shapes.md §1.1, mononyms).
	cultureID = culture{
		code: "id",
		male: []string{"Budi", "Agus", "Eko", "Joko", "Hendra", "Dedi", "Rizky", "Bambang", "Arief", "Fajar", "Yusuf", "Teguh",
			"Andi", "Irfan", "Wawan", "Dimas"},
		female: []string{"Siti", "Dewi", "Sri", "Putri", "Ayu", "Indah", "Rina", "Wulan", "Nur", "Fitri", "Ratna", "Yuni", "Lina",
			"Maya", "Intan", "Sari"},
		last: []string{"Sutrisno", "Wahyudi", "Suparman", "Santoso", "Hidayat", "Wijaya", "Setiawan", "Kusuma", "Saputra", "Lestari",
			"Susanto", "Gunawan", "Pratama", "Nugroho", "Siregar", "Nasution", "Hutapea", "Simanjuntak", "Purnomo", "Rahayu"},
		mononymP: 0.35,
	}
)

// cultures indexes every naming culture by its code.
var cultures = map[string]*culture{
	"en": &cultureEN, "ga": &cultureGA, "es": &cultureES, "pt": &culturePT, "fr": &cultureFR, "de": &cultureDE,
	"nl": &cultureNL, "mi": &cultureMI, "nordic": &cultureNordic, "is": &cultureIS, "pl": &culturePL, "cs": &cultureCS,
	"hu": &cultureHU, "ro": &cultureRO, "tr": &cultureTR, "ru": &cultureRU, "vi": &cultureVI, "ko": &cultureKO,
	"ja": &cultureJA, "zh": &cultureZH, "hi": &cultureHI, "id": &cultureID,
}

// adoptedMale and adoptedFemale are the English names people with East
// Asian names often go by at work.
var (
	adoptedMale   = []string{"Andy", "Kevin", "Tony", "David", "Jason", "Daniel", "Eric", "Vincent", "Henry", "Sam"}
	adoptedFemale = []string{"Jenny", "Linda", "Grace", "Vivian", "Michelle", "Cindy", "Amy", "Angela", "Jessie", "Sally"}
)
