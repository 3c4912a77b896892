"""The fixed vocabularies the simulated businesses draw from: places, names, email providers, genres, prices.

Everything here is plain data. Weights are relative; a place's weight is roughly its population, so
simulated customers cluster where real ones would.
"""

# (country, currency, region, city, postal code prefix, population weight in millions)
PLACES: tuple[tuple[str, str, str, str, str, float], ...] = (
    ("US", "USD", "California", "Los Angeles", "900", 12.5),
    ("US", "USD", "California", "San Francisco", "941", 4.7),
    ("US", "USD", "California", "San Diego", "921", 3.3),
    ("US", "USD", "New York", "New York", "100", 19.5),
    ("US", "USD", "New York", "Buffalo", "142", 1.1),
    ("US", "USD", "Texas", "Houston", "770", 7.1),
    ("US", "USD", "Texas", "Dallas", "752", 7.6),
    ("US", "USD", "Texas", "Austin", "787", 2.3),
    ("US", "USD", "Florida", "Miami", "331", 6.1),
    ("US", "USD", "Florida", "Orlando", "328", 2.6),
    ("US", "USD", "Illinois", "Chicago", "606", 9.4),
    ("US", "USD", "Washington", "Seattle", "981", 4.0),
    ("US", "USD", "Massachusetts", "Boston", "021", 4.9),
    ("US", "USD", "Georgia", "Atlanta", "303", 6.1),
    ("US", "USD", "Colorado", "Denver", "802", 2.9),
    ("US", "USD", "Arizona", "Phoenix", "850", 4.8),
    ("US", "USD", "Pennsylvania", "Philadelphia", "191", 6.2),
    ("US", "USD", "Minnesota", "Minneapolis", "554", 3.7),
    ("US", "USD", "Oregon", "Portland", "972", 2.5),
    ("CA", "CAD", "Ontario", "Toronto", "M5V", 6.2),
    ("CA", "CAD", "Ontario", "Ottawa", "K1P", 1.4),
    ("CA", "CAD", "Quebec", "Montreal", "H2X", 4.3),
    ("CA", "CAD", "British Columbia", "Vancouver", "V6B", 2.6),
    ("CA", "CAD", "Alberta", "Calgary", "T2P", 1.5),
    ("GB", "GBP", "England", "London", "EC1", 9.0),
    ("GB", "GBP", "England", "Manchester", "M1", 2.8),
    ("GB", "GBP", "England", "Leeds", "LS1", 1.9),
    ("GB", "GBP", "England", "Bristol", "BS1", 0.7),
    ("GB", "GBP", "Scotland", "Glasgow", "G1", 1.7),
    ("GB", "GBP", "Scotland", "Edinburgh", "EH1", 0.9),
    ("GB", "GBP", "Wales", "Cardiff", "CF10", 0.5),
    ("IE", "EUR", "Leinster", "Dublin", "D02", 1.4),
    ("IE", "EUR", "Munster", "Cork", "T12", 0.3),
    ("DE", "EUR", "Berlin", "Berlin", "101", 3.7),
    ("DE", "EUR", "Bavaria", "Munich", "803", 1.5),
    ("DE", "EUR", "Hamburg", "Hamburg", "203", 1.9),
    ("DE", "EUR", "North Rhine-Westphalia", "Cologne", "506", 1.1),
    ("FR", "EUR", "Ile-de-France", "Paris", "750", 11.0),
    ("FR", "EUR", "Auvergne-Rhone-Alpes", "Lyon", "690", 2.3),
    ("FR", "EUR", "Provence-Alpes-Cote d'Azur", "Marseille", "130", 1.9),
    ("NL", "EUR", "North Holland", "Amsterdam", "101", 1.2),
    ("NL", "EUR", "South Holland", "Rotterdam", "301", 1.0),
    ("BE", "EUR", "Brussels", "Brussels", "100", 1.2),
    ("ES", "EUR", "Madrid", "Madrid", "280", 6.7),
    ("ES", "EUR", "Catalonia", "Barcelona", "080", 5.6),
    ("IT", "EUR", "Lombardy", "Milan", "201", 4.3),
    ("IT", "EUR", "Lazio", "Rome", "001", 4.2),
    ("PT", "EUR", "Lisbon", "Lisbon", "110", 2.9),
    ("AT", "EUR", "Vienna", "Vienna", "101", 1.9),
    ("FI", "EUR", "Uusimaa", "Helsinki", "001", 1.3),
    ("GR", "EUR", "Attica", "Athens", "105", 3.2),
    ("LU", "EUR", "Luxembourg", "Luxembourg", "L-1", 0.3),
    ("AU", "AUD", "New South Wales", "Sydney", "200", 5.3),
    ("AU", "AUD", "Victoria", "Melbourne", "300", 5.1),
    ("AU", "AUD", "Queensland", "Brisbane", "400", 2.6),
    ("AU", "AUD", "Western Australia", "Perth", "600", 2.1),
    ("NZ", "NZD", "Auckland", "Auckland", "101", 1.7),
    ("NZ", "NZD", "Wellington", "Wellington", "601", 0.4),
)

# Units of each currency that make one US dollar; the same convention as the dbt seed currency_rates.
UNITS_PER_USD: dict[str, float] = {"USD": 1.00, "CAD": 1.36, "GBP": 0.79, "EUR": 0.92, "AUD": 1.52, "NZD": 1.65}

# The UTC offset a Flicks viewer's app exports its local time with, by country (standard time).
UTC_OFFSET_HOURS: dict[str, int] = {
    "US": -5, "CA": -5, "GB": 0, "IE": 0, "DE": 1, "FR": 1, "NL": 1, "BE": 1, "ES": 1, "IT": 1, "PT": 0,
    "AT": 1, "FI": 2, "GR": 2, "LU": 1, "AU": 10, "NZ": 12,
}

FIRST_NAMES: tuple[str, ...] = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
    "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
    "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony", "Margaret", "Mark", "Sandra",
    "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle",
    "Kenneth", "Dorothy", "Kevin", "Carol", "Brian", "Amanda", "George", "Melissa", "Edward", "Deborah",
    "Ronald", "Stephanie", "Timothy", "Rebecca", "Jason", "Sharon", "Jeffrey", "Laura", "Ryan", "Cynthia",
    "Jacob", "Kathleen", "Gary", "Amy", "Nicholas", "Shirley", "Eric", "Angela", "Jonathan", "Helen",
    "Stephen", "Anna", "Larry", "Brenda", "Justin", "Pamela", "Scott", "Nicole", "Brandon", "Emma",
    "Benjamin", "Samantha", "Samuel", "Katherine", "Gregory", "Christine", "Frank", "Debra", "Alexander",
    "Rachel", "Raymond", "Catherine", "Patrick", "Carolyn", "Jack", "Janet", "Dennis", "Ruth", "Jerry",
    "Maria", "Tyler", "Heather", "Aaron", "Diane", "Jose", "Virginia", "Adam", "Julie", "Henry", "Joyce",
    "Nathan", "Victoria", "Douglas", "Olivia", "Zachary", "Kelly", "Peter", "Christina", "Kyle", "Lauren",
    "Noah", "Joan", "Ethan", "Evelyn", "Jeremy", "Judith", "Walter", "Megan", "Christian", "Cheryl",
    "Keith", "Andrea", "Roger", "Hannah", "Terry", "Martha", "Austin", "Jacqueline", "Sean", "Frances",
    "Gerald", "Gloria", "Carl", "Ann", "Harold", "Teresa", "Dylan", "Kathryn", "Arthur", "Sara", "Lawrence",
    "Janice", "Jordan", "Jean", "Jesse", "Alice", "Bryan", "Madison", "Billy", "Doris", "Bruce", "Abigail",
    "Gabriel", "Julia", "Joe", "Judy", "Logan", "Grace", "Albert", "Denise", "Willie", "Amber", "Alan",
    "Marilyn", "Eugene", "Beverly", "Russell", "Danielle", "Vincent", "Theresa", "Philip", "Sophia",
    "Bobby", "Marie", "Johnny", "Diana", "Bradley", "Brittany", "Roy", "Natalie", "Ralph", "Isabella",
    "Liam", "Aoife", "Sean", "Siobhan", "Lukas", "Lena", "Jonas", "Mia", "Louis", "Camille", "Hugo", "Chloe",
    "Lucas", "Sofia", "Mateo", "Lucia", "Giulia", "Marco", "Joao", "Ines", "Eero", "Aino", "Nikos", "Eleni",
)

LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez",
    "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart",
    "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks",
    "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez",
    "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Powell", "Jenkins",
    "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes", "Gonzales", "Fisher",
    "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham", "Reynolds",
    "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran",
    "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens", "Harrison", "Fernandez",
    "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen", "Freeman", "Webb",
    "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson", "Porter", "Hunter", "Gordon", "Mendez",
    "Silva", "Shaw", "Snyder", "Mason", "Dixon", "Munoz", "Hunt", "Hicks", "Holmes", "Palmer", "Wagner",
    "Black", "Robertson", "Boyd", "Rose", "Stone", "Salazar", "Fox", "Warren", "Mills", "Meyer", "Rice",
    "Schmidt", "Garza", "Daniels", "Ferguson", "Nichols", "Stephens", "Soto", "Weaver", "Ryan", "Gardner",
    "Payne", "Grant", "Dunn", "Kelley", "Spencer", "Hawkins", "Arnold", "Pierce", "Vazquez", "Hansen",
    "Peters", "Santos", "Hart", "Bradley", "Knight", "Elliott", "Cunningham", "Duncan", "Armstrong",
    "OBrien", "Byrne", "Walsh", "Muller", "Schneider", "Fischer", "Weber", "Dubois", "Moreau", "Laurent",
    "Rossi", "Russo", "Ferrari", "Costa", "Pereira", "Virtanen", "Korhonen", "Papadopoulos", "Janssen",
)

# Email providers and their share of people. Gmail ignores dots in the local part; the providers in
# vision_assets.identity.normalize.PLUS_ADDRESSING_DOMAINS deliver local+tag@domain to local@domain,
# so people use tags there.
EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 0.38), ("outlook.com", 0.12), ("hotmail.com", 0.08), ("yahoo.com", 0.12),
    ("icloud.com", 0.10), ("proton.me", 0.04), ("fastmail.com", 0.03), ("aol.com", 0.03),
    ("gmx.de", 0.04), ("orange.fr", 0.03), ("btinternet.com", 0.03),
)

# Genres shared by books and films: a reader of fantasy novels is more likely to watch fantasy films,
# which is what cross-business recommendations exploit.
STORY_GENRES: tuple[str, ...] = (
    "fantasy", "science fiction", "mystery", "thriller", "romance", "horror", "comedy", "drama",
    "history", "biography", "documentary", "family",
)
BOOK_ONLY_GENRES: tuple[str, ...] = ("cooking", "self-help", "business", "poetry")
FILM_ONLY_GENRES: tuple[str, ...] = ("action", "animation", "western")
MUSIC_GENRES: tuple[str, ...] = (
    "pop", "rock", "hip hop", "electronic", "jazz", "classical", "country", "r&b", "metal", "folk",
    "soundtrack", "indie",
)
# The music a fan of a story genre leans towards (soundtracks for fantasy and science fiction, ...).
MUSIC_AFFINITY: dict[str, tuple[str, ...]] = {
    "fantasy": ("soundtrack", "classical"), "science fiction": ("electronic", "soundtrack"),
    "mystery": ("jazz", "indie"), "thriller": ("electronic", "rock"), "romance": ("pop", "r&b"),
    "horror": ("metal", "rock"), "comedy": ("pop", "hip hop"), "drama": ("indie", "folk"),
    "history": ("classical", "folk"), "biography": ("jazz", "country"), "documentary": ("folk", "indie"),
    "family": ("pop", "soundtrack"),
}

MART_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Electronics": ("Headphones", "Phones", "Laptops", "Cameras", "Smart Home"),
    "Home & Kitchen": ("Cookware", "Furniture", "Bedding", "Appliances"),
    "Fashion": ("Shoes", "Outerwear", "Accessories", "Activewear"),
    "Beauty": ("Skincare", "Fragrance", "Hair Care"),
    "Sports & Outdoors": ("Camping", "Cycling", "Fitness"),
    "Toys & Games": ("Board Games", "Building Sets", "Puzzles"),
    "Grocery": ("Coffee & Tea", "Snacks", "Pantry"),
}
# Typical list price in USD of a product in each category (prices are drawn log-normally around it).
MART_CATEGORY_PRICE_USD: dict[str, float] = {
    "Electronics": 120.0, "Home & Kitchen": 55.0, "Fashion": 45.0, "Beauty": 22.0,
    "Sports & Outdoors": 60.0, "Toys & Games": 30.0, "Grocery": 12.0,
}
MART_BRANDS: tuple[str, ...] = (
    "Northwind", "Acme", "Lumen", "Keystone", "Bluepeak", "Orbital", "Fable & Co", "Harbor", "Sable",
    "Verde", "Quill", "Ironwood", "Pico", "Solace", "Tandem", "Marlow", "Everly", "Brisk", "Cobalt", "Juniper",
)
PRODUCT_ADJECTIVES: tuple[str, ...] = (
    "Classic", "Pro", "Compact", "Ultra", "Essential", "Premium", "Everyday", "Deluxe", "Smart", "Travel",
)

TITLE_WORDS: tuple[str, ...] = (
    "Shadow", "River", "Crown", "Silent", "Winter", "Last", "Glass", "Hidden", "Iron", "Golden", "Broken",
    "Night", "Stars", "Garden", "Empire", "Storm", "Paper", "Wild", "Lost", "Secret", "Distant", "Burning",
    "Summer", "Stone", "Echo", "Midnight", "Salt", "Ember", "Harbor", "Orchard", "Velvet", "Northern",
)
STUDIOS: tuple[str, ...] = (
    "Lantern Pictures", "Meridian Studios", "Blue Harbor Films", "Northlight", "Redwood Features",
    "Parallax Pictures", "Cobalt Films", "Silver Reel", "Foxglove Studios", "Atlas Entertainment",
)

# Membership plans: (plan, monthly or annual, price in USD).
MEMBERSHIP_PLANS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "books": (("reader_monthly", "monthly", 9.99), ("reader_annual", "annual", 99.00)),
    "flicks": (("basic", "monthly", 6.99), ("standard", "monthly", 11.99), ("premium", "monthly", 16.99)),
    "music": (("individual", "monthly", 10.99), ("duo", "monthly", 14.99), ("family", "monthly", 16.99)),
    "mart": (("plus_monthly", "monthly", 12.99), ("plus_annual", "annual", 119.00)),
}

REVIEW_PHRASES: dict[int, tuple[str, ...]] = {
    1: ("Not for me.", "Disappointing, would not recommend.", 'Called "the best of the year"? Hardly.',
        "Stopped halfway; a waste of time, honestly."),
    2: ("Had its moments, but mostly dull.", "Expected more; the middle drags.", "Arrived late, and meh."),
    3: ("Fine, nothing special.", "Good in parts, forgettable overall.", "Decent; the ending was rushed."),
    4: ("Really enjoyed it!", "Great, would recommend to friends.", 'Solid - "a page-turner" indeed.',
        "Better than I expected; 4 stars."),
    5: ("Absolutely loved it!", "A masterpiece, start to finish.", "Five stars; buying it for my family too.",
        "Can't stop thinking about it; it's that good."),
}
