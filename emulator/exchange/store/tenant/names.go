package tenant

// Word lists for the generator. They are functions, not package
// variables, so nothing at package level can be changed.

func firstNames() []string {
	return []string{
		"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
		"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
		"Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Margaret", "Mark", "Sandra",
		"Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle",
		"Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Dorothy", "George", "Melissa", "Timothy", "Deborah",
		"Ronald", "Stephanie", "Edward", "Rebecca", "Jason", "Sharon", "Jeffrey", "Laura", "Ryan", "Cynthia",
		"Jacob", "Kathleen", "Gary", "Amy", "Nicholas", "Angela", "Eric", "Shirley", "Jonathan", "Anna",
		"Stephen", "Brenda", "Larry", "Pamela", "Justin", "Emma", "Scott", "Nicole", "Brandon", "Helen",
		"Benjamin", "Samantha", "Samuel", "Katherine", "Gregory", "Christine", "Alexander", "Debra", "Frank", "Rachel",
		"Patrick", "Carolyn", "Raymond", "Janet", "Jack", "Catherine", "Dennis", "Maria", "Jerry", "Heather",
		"Aisha", "Mohammed", "Wei", "Yuki", "Priya", "Raj", "Sofia", "Mateo", "Olga", "Ivan",
		"Fatima", "Omar", "Chen", "Mei", "Hiroshi", "Sakura", "Ananya", "Arjun", "Lucia", "Diego",
		"Ingrid", "Lars", "Amara", "Kwame", "Zanele", "Thabo", "Noor", "Hassan", "Leila", "Tariq",
		"Camille", "Louis", "Elena", "Marco", "Giulia", "Luca", "Hannah", "Felix", "Mia", "Noah",
	}
}

func lastNames() []string {
	return []string{
		"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
		"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
		"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
		"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
		"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
		"Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
		"Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
		"Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
		"Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
		"Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
		"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Tanaka", "Suzuki", "Sato", "Watanabe",
		"Kumar", "Singh", "Sharma", "Gupta", "Khan", "Ali", "Ahmed", "Hussain", "Okafor", "Mensah",
		"Nkosi", "Dlamini", "Schmidt", "Muller", "Schneider", "Fischer", "Weber", "Rossi", "Russo", "Ferrari",
		"Dubois", "Lefebvre", "Moreau", "Novak", "Kowalski", "Nowak", "Ivanov", "Petrov", "Larsen", "Andersen",
	}
}

// departments pairs each department with the titles found in it.
func departments() []struct {
	name   string
	titles []string
} {
	return []struct {
		name   string
		titles []string
	}{
		{"Sales", []string{"Account Executive", "Sales Representative", "Sales Manager", "Regional Sales Director", "Inside Sales Specialist"}},
		{"Marketing", []string{"Marketing Specialist", "Marketing Manager", "Content Strategist", "Brand Manager", "Digital Marketing Analyst"}},
		{"Engineering", []string{"Software Engineer", "Senior Software Engineer", "Engineering Manager", "Principal Engineer", "QA Engineer", "DevOps Engineer"}},
		{"Finance", []string{"Accountant", "Financial Analyst", "Controller", "Accounts Payable Clerk", "Finance Manager"}},
		{"HR", []string{"HR Generalist", "Recruiter", "HR Business Partner", "HR Manager", "Payroll Specialist"}},
		{"IT", []string{"IT Support Specialist", "Systems Administrator", "Network Engineer", "IT Manager", "Security Analyst"}},
		{"Operations", []string{"Operations Analyst", "Operations Manager", "Logistics Coordinator", "Facilities Manager"}},
		{"Customer Support", []string{"Support Agent", "Support Team Lead", "Customer Success Manager"}},
		{"Legal", []string{"Paralegal", "Corporate Counsel", "Compliance Officer"}},
		{"Research", []string{"Research Scientist", "Lab Technician", "Research Director"}},
		{"Manufacturing", []string{"Production Supervisor", "Plant Manager", "Quality Inspector", "Machine Operator"}},
		{"Executive Management", []string{"Chief Executive Officer", "Chief Financial Officer", "Chief Operating Officer", "Vice President"}},
		{"Procurement", []string{"Buyer", "Procurement Manager", "Category Manager"}},
		{"Retail", []string{"Store Manager", "Retail Associate", "Merchandiser"}},
	}
}

// offices are office cities with their country.
func offices() [][2]string {
	return [][2]string{
		{"Seattle", "United States"}, {"Redmond", "United States"}, {"New York", "United States"}, {"Chicago", "United States"},
		{"Austin", "United States"}, {"San Francisco", "United States"}, {"Atlanta", "United States"}, {"Toronto", "Canada"},
		{"London", "United Kingdom"}, {"Dublin", "Ireland"}, {"Paris", "France"}, {"Berlin", "Germany"}, {"Munich", "Germany"},
		{"Amsterdam", "Netherlands"}, {"Stockholm", "Sweden"}, {"Madrid", "Spain"}, {"Milan", "Italy"}, {"Warsaw", "Poland"},
		{"Johannesburg", "South Africa"}, {"Dubai", "United Arab Emirates"}, {"Bangalore", "India"}, {"Singapore", "Singapore"},
		{"Tokyo", "Japan"}, {"Sydney", "Australia"}, {"Sao Paulo", "Brazil"}, {"Mexico City", "Mexico"},
	}
}

func sharedPurposes() []string {
	return []string{"Helpdesk", "Info", "Invoices", "Orders", "Recruiting", "Support", "Press", "Events", "Payroll", "Reception", "Shipping", "Alerts"}
}

func mailSubjects() []string {
	return []string{
		"Weekly status update", "Meeting follow-up", "Quarterly results", "Invoice attached", "Re: Project timeline",
		"Action required: review", "Lunch on Friday?", "Updated proposal", "Contract draft v3", "Customer escalation",
		"Travel itinerary", "Team offsite agenda", "Your order has shipped", "Password expiry notice", "Budget approval",
		"FW: Partner feedback", "New hire onboarding", "Security awareness training", "Release notes", "Holiday schedule",
	}
}

func externalDomains() []string {
	return []string{"fabrikam.com", "northwind.example", "tailspintoys.com", "litware.example", "adatum.example",
		"wingtiptoys.example", "woodgrove.example", "proseware.example", "gmail.com", "outlook.com", "yahoo.com"}
}
