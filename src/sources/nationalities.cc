#include "sources/nationalities.h"

#include <array>

namespace lakepipe::sources {
namespace {

// One nationality as text: lists are '|'-separated; a name "Олена=Olena"
// gives its Latin spelling after '=', a place is "city=state".
struct NationalityText {
  const char* nat;
  const char* country;
  const char* male;
  const char* female;
  const char* last;
  const char* places;
  const char* streets;
  const char* postcodes;
  const char* phones;
  const char* domains;
  uint32_t latin_per_mille = 0;
};

constexpr NationalityText kNationalities[] = {
    {"AU", "Australia",
     "Jack|Oliver|William|Noah|Thomas|James|Lucas|Henry|Liam|Charlie|Ethan|Cooper|Lachlan|Riley|"
     "Harrison|Mason|Hunter|Archie|Max|Jacob",
     "Charlotte|Olivia|Mia|Ava|Amelia|Isla|Grace|Chloe|Ruby|Sophie|Ella|Zoe|Harper|Matilda|Evie|"
     "Lily|Isabella|Sienna|Willow|Madison",
     "Smith|Jones|Williams|Brown|Wilson|Taylor|Johnson|White|Martin|Anderson|Thompson|Nguyen|"
     "Thomas|Walker|Harris|Lee|Ryan|Robinson|Kelly|King|Davis|Wright|Evans|Roberts|Green|Hall|"
     "Wood|Jackson|Clarke|Mitchell",
     "Sydney=New South Wales|Newcastle=New South Wales|Wollongong=New South Wales|"
     "Wagga Wagga=New South Wales|Melbourne=Victoria|Geelong=Victoria|Ballarat=Victoria|"
     "Bendigo=Victoria|Brisbane=Queensland|Gold Coast=Queensland|Cairns=Queensland|"
     "Townsville=Queensland|Toowoomba=Queensland|Perth=Western Australia|"
     "Bunbury=Western Australia|Adelaide=South Australia|Mount Gambier=South Australia|"
     "Hobart=Tasmania|Launceston=Tasmania|Canberra=Australian Capital Territory|"
     "Darwin=Northern Territory|Alice Springs=Northern Territory",
     "George Street|Pitt Street|Queen Street|Victoria Road|Pacific Highway|Hunter Street|"
     "Bourke Street|Collins Street|Elizabeth Street|Smith Street|Railway Parade|Church Street|"
     "Mountain View Road|Ocean View Drive",
     "N###", "0N-####-####|04## ### ###", "bigpond.com|optusnet.com.au"},
    {"BR", "Brazil",
     "Miguel|Arthur|Heitor|Bernardo|Davi|Théo|Lorenzo|Gabriel|Pedro|Benjamin|Matheus|Lucas|"
     "Nicolas|João|Rafael|Gustavo|Felipe|Enzo|Vinícius|Caio|Otávio",
     "Helena|Alice|Laura|Maria|Valentina|Heloísa|Manuela|Júlia|Sophia|Isabella|Luíza|Lívia|"
     "Beatriz|Giovanna|Mariana|Lara|Lorena|Ana|Letícia|Cecília",
     "Silva|Santos|Oliveira|Souza|Rodrigues|Ferreira|Alves|Pereira|Lima|Gomes|Costa|Ribeiro|"
     "Martins|Carvalho|Almeida|Lopes|Soares|Fernandes|Vieira|Barbosa|Rocha|Dias|Nascimento|"
     "Araújo|Moreira|Cardoso|Teixeira|Correia|Mendes|Conceição",
     "São Paulo=São Paulo|Campinas=São Paulo|Santos=São Paulo|Ribeirão Preto=São Paulo|"
     "Rio de Janeiro=Rio de Janeiro|Niterói=Rio de Janeiro|Belo Horizonte=Minas Gerais|"
     "Uberlândia=Minas Gerais|Juiz de Fora=Minas Gerais|Salvador=Bahia|"
     "Feira de Santana=Bahia|Fortaleza=Ceará|Recife=Pernambuco|"
     "Porto Alegre=Rio Grande do Sul|Caxias do Sul=Rio Grande do Sul|Curitiba=Paraná|"
     "Londrina=Paraná|Florianópolis=Santa Catarina|Joinville=Santa Catarina|Manaus=Amazonas|"
     "Belém=Pará|Goiânia=Goiás|São Luís=Maranhão|Natal=Rio Grande do Norte|"
     "João Pessoa=Paraíba|Maceió=Alagoas|Teresina=Piauí|Cuiabá=Mato Grosso|"
     "Campo Grande=Mato Grosso do Sul|Vitória=Espírito Santo",
     "Rua São Paulo|Rua Sete de Setembro|Avenida Brasil|Rua Quinze de Novembro|Rua da Paz|"
     "Rua Santa Luzia|Rua Dom Pedro II|Avenida Paulista|Rua das Flores|Rua Tiradentes|"
     "Rua Bela Vista|Rua Santos Dumont|Travessa da Liberdade",
     "N####-###", "(N#) ####-####|(N#) 9####-####", "uol.com.br|bol.com.br|terra.com.br"},
    {"CA", "Canada",
     "Liam|Noah|William|Lucas|Benjamin|Oliver|Ethan|Félix|Logan|Nathan|Jacob|Samuel|Thomas|Owen|"
     "Jayden|Mathis|Zachary|Émile|Alexis|Olivier",
     "Olivia|Emma|Charlotte|Chloé|Léa|Alice|Ava|Sophia|Florence|Zoé|Maya|Emily|Abigail|Rosalie|"
     "Mila|Juliette|Béatrice|Madison|Hannah|Camille",
     "Smith|Brown|Tremblay|Martin|Roy|Gagnon|Lee|Wilson|Johnson|MacDonald|Taylor|Campbell|"
     "Anderson|Côté|Bouchard|Gauthier|Morin|Lavoie|Fortin|Gagné|Ouellet|Pelletier|Bélanger|"
     "Lévesque|Wong|Singh|Chen|Thompson|Clark|Young",
     "Toronto=Ontario|Ottawa=Ontario|Mississauga=Ontario|Hamilton=Ontario|London=Ontario|"
     "Kingston=Ontario|Sudbury=Ontario|Montréal=Québec|Québec=Québec|Laval=Québec|"
     "Gatineau=Québec|Sherbrooke=Québec|Trois-Rivières=Québec|Vancouver=British Columbia|"
     "Victoria=British Columbia|Kelowna=British Columbia|Calgary=Alberta|Edmonton=Alberta|"
     "Red Deer=Alberta|Winnipeg=Manitoba|Brandon=Manitoba|Regina=Saskatchewan|"
     "Saskatoon=Saskatchewan|Halifax=Nova Scotia|Moncton=New Brunswick|"
     "Fredericton=New Brunswick|St. John's=Newfoundland and Labrador|"
     "Charlottetown=Prince Edward Island|Whitehorse=Yukon|Yellowknife=Northwest Territories|"
     "Iqaluit=Nunavut",
     "King Street|Queen Street|Yonge Street|Rue Sainte-Catherine|Rue Saint-Denis|Main Street|"
     "Maple Avenue|Dufferin Street|Bay Street|Rue Principale|Boulevard René-Lévesque|"
     "Granville Street|Jasper Avenue|Portage Avenue",
     "C#C #C#", "(N##) N##-####|N##-N##-####", "rogers.com|shaw.ca|videotron.ca"},
    {"CH", "Switzerland",
     "Noah|Luca|Leon|Matteo|Liam|Elias|Gabriel|Louis|Samuel|Nico|Lukas|Jonas|Lars|Reto|Urs|Beat|"
     "Jürg|Adrian|Fabien|Nicolò",
     "Mia|Emma|Lina|Mila|Elena|Lea|Sofia|Anna|Lara|Chloé|Léonie|Laura|Nina|Jana|Sarah|Céline|"
     "Mélanie|Giulia|Vreni|Ursula",
     "Müller|Meier|Schmid|Keller|Weber|Huber|Schneider|Meyer|Steiner|Fischer|Gerber|Brunner|"
     "Baumann|Frei|Zimmermann|Moser|Widmer|Wyss|Graf|Roth|Favre|Rochat|Bernasconi|Rossi|"
     "Bianchi|Fontana|Lüthi|Bühler|Käser|Schürch",
     "Zürich=Zürich|Winterthur=Zürich|Uster=Zürich|Bern=Bern|Biel/Bienne=Bern|Thun=Bern|"
     "Basel=Basel-Stadt|Liestal=Basel-Landschaft|Genève=Genève|Carouge=Genève|Lausanne=Vaud|"
     "Montreux=Vaud|Yverdon-les-Bains=Vaud|Luzern=Luzern|St. Gallen=St. Gallen|Lugano=Ticino|"
     "Bellinzona=Ticino|Locarno=Ticino|Fribourg=Fribourg|Neuchâtel=Neuchâtel|Sion=Valais|"
     "Chur=Graubünden|Aarau=Aargau|Baden=Aargau|Schaffhausen=Schaffhausen|Zug=Zug",
     "Bahnhofstrasse|Hauptstrasse|Dorfstrasse|Kirchgasse|Seestrasse|Rue du Marché|"
     "Rue de Lausanne|Avenue de la Gare|Via Nassa|Via Cantonale|Poststrasse|"
     "Schulhausstrasse|Chemin des Vignes",
     "N###", "0N# ### ## ##|07# ### ## ##", "bluewin.ch|gmx.ch|sunrise.ch"},
    {"DE", "Germany",
     "Lukas|Leon|Finn|Jonas|Paul|Felix|Elias|Noah|Maximilian|Ben|Luis|Jürgen|Günther|Dieter|"
     "Klaus|Stefan|Andreas|Thomas|Matthias|Björn",
     "Mia|Emma|Hannah|Sophia|Lina|Marie|Lea|Lena|Anna|Johanna|Jördis|Ursula|Sabine|Petra|Monika|"
     "Käthe|Annelie|Jana|Frauke|Lieselotte",
     "Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann|Schäfer|Koch|"
     "Bauer|Richter|Klein|Wolf|Schröder|Neumann|Schwarz|Zimmermann|Braun|Krüger|Hofmann|"
     "Hartmann|Lange|Schmitt|Werner|Krause|Köhler|Weiß",
     "Berlin=Berlin|Hamburg=Hamburg|München=Bayern|Nürnberg=Bayern|Augsburg=Bayern|"
     "Regensburg=Bayern|Würzburg=Bayern|Köln=Nordrhein-Westfalen|"
     "Düsseldorf=Nordrhein-Westfalen|Dortmund=Nordrhein-Westfalen|Essen=Nordrhein-Westfalen|"
     "Münster=Nordrhein-Westfalen|Bonn=Nordrhein-Westfalen|Frankfurt am Main=Hessen|"
     "Wiesbaden=Hessen|Kassel=Hessen|Stuttgart=Baden-Württemberg|"
     "Freiburg im Breisgau=Baden-Württemberg|Heidelberg=Baden-Württemberg|"
     "Karlsruhe=Baden-Württemberg|Tübingen=Baden-Württemberg|Leipzig=Sachsen|Dresden=Sachsen|"
     "Chemnitz=Sachsen|Hannover=Niedersachsen|Braunschweig=Niedersachsen|"
     "Göttingen=Niedersachsen|Bremen=Bremen|Kiel=Schleswig-Holstein|Lübeck=Schleswig-Holstein|"
     "Rostock=Mecklenburg-Vorpommern|Schwerin=Mecklenburg-Vorpommern|Potsdam=Brandenburg|"
     "Cottbus=Brandenburg|Erfurt=Thüringen|Jena=Thüringen|Magdeburg=Sachsen-Anhalt|"
     "Halle (Saale)=Sachsen-Anhalt|Mainz=Rheinland-Pfalz|Trier=Rheinland-Pfalz|"
     "Saarbrücken=Saarland",
     "Hauptstraße|Schulstraße|Gartenstraße|Bahnhofstraße|Dorfstraße|Bergstraße|Birkenweg|"
     "Lindenstraße|Kirchstraße|Waldstraße|Ringstraße|Schillerstraße|Goethestraße|Mühlenweg|"
     "Am Marktplatz|Friedhofstraße",
     "#####", "0N##-#######|01N#-#######", "web.de|gmx.de|t-online.de"},
    {"DK", "Denmark",
     "William|Noah|Oscar|Lucas|Carl|Victor|Malthe|Emil|Magnus|Frederik|Mikkel|Rasmus|Søren|"
     "Jørgen|Niels|Anders|Mads|Kasper|Bjørn|Asger",
     "Ella|Alma|Ida|Freja|Clara|Emma|Sofia|Karla|Anna|Laura|Mathilde|Signe|Maja|Astrid|Sørine|"
     "Birgitte|Mette|Karen|Lærke|Tove",
     "Nielsen|Jensen|Hansen|Pedersen|Andersen|Christensen|Larsen|Sørensen|Rasmussen|Jørgensen|"
     "Petersen|Madsen|Kristensen|Olsen|Thomsen|Christiansen|Poulsen|Johansen|Møller|"
     "Mortensen|Knudsen|Jakobsen|Mikkelsen|Holm|Schmidt|Kjær|Frederiksen|Lund|Østergaard|Bæk",
     "København=Hovedstaden|Frederiksberg=Hovedstaden|Hillerød=Hovedstaden|"
     "Helsingør=Hovedstaden|Aarhus N=Midtjylland|Silkeborg=Midtjylland|Herning=Midtjylland|"
     "Randers=Midtjylland|Viborg=Midtjylland|Odense=Syddanmark|Esbjerg=Syddanmark|"
     "Kolding=Syddanmark|Vejle=Syddanmark|Sønderborg=Syddanmark|Aalborg=Nordjylland|"
     "Hjørring=Nordjylland|Frederikshavn=Nordjylland|Roskilde=Sjælland|Næstved=Sjælland|"
     "Køge=Sjælland|Slagelse=Sjælland|Holbæk=Sjælland",
     "Søndergade|Vestergade|Østergade|Nørregade|Strandvejen|Kirkevej|Skolevej|Møllevej|"
     "Bakkevej|Engvej|Rosenvænget|Hovedgaden|Åboulevarden|Læskovvej",
     "N###", "N#######|N# ## ## ##", "mail.dk|jubii.dk|stofanet.dk"},
    {"ES", "Spain",
     "Hugo|Martín|Lucas|Mateo|Leo|Daniel|Alejandro|Pablo|Manuel|Álvaro|Adrián|David|Mario|"
     "Enzo|Diego|Marcos|Izan|Javier|Jesús|Sergio|Iñigo",
     "Lucía|Sofía|Martina|María|Julia|Paula|Valeria|Emma|Daniela|Carla|Alba|Noa|Alma|Sara|"
     "Carmen|Vega|Lara|Mía|Valentina|Inés|Begoña",
     "García|Rodríguez|González|Fernández|López|Martínez|Sánchez|Pérez|Gómez|Martín|Jiménez|"
     "Ruiz|Hernández|Díaz|Moreno|Muñoz|Álvarez|Romero|Alonso|Gutiérrez|Navarro|Torres|"
     "Domínguez|Vázquez|Ramos|Gil|Ramírez|Serrano|Blanco|Molina|Ibáñez|Castaño",
     "Madrid=Comunidad de Madrid|Alcalá de Henares=Comunidad de Madrid|"
     "Móstoles=Comunidad de Madrid|Barcelona=Cataluña|Girona=Cataluña|Tarragona=Cataluña|"
     "Lleida=Cataluña|Valencia=Comunidad Valenciana|Alicante=Comunidad Valenciana|"
     "Castellón de la Plana=Comunidad Valenciana|Elche=Comunidad Valenciana|Sevilla=Andalucía|"
     "Málaga=Andalucía|Córdoba=Andalucía|Granada=Andalucía|Cádiz=Andalucía|Almería=Andalucía|"
     "Bilbao=País Vasco|San Sebastián=País Vasco|Vitoria-Gasteiz=País Vasco|A Coruña=Galicia|"
     "Vigo=Galicia|Santiago de Compostela=Galicia|Zaragoza=Aragón|Huesca=Aragón|"
     "Valladolid=Castilla y León|Salamanca=Castilla y León|León=Castilla y León|"
     "Burgos=Castilla y León|Murcia=Región de Murcia|Cartagena=Región de Murcia|"
     "Palma de Mallorca=Islas Baleares|Las Palmas de Gran Canaria=Canarias|"
     "Santa Cruz de Tenerife=Canarias|Oviedo=Asturias|Gijón=Asturias|Santander=Cantabria|"
     "Pamplona=Navarra|Logroño=La Rioja|Toledo=Castilla-La Mancha|Badajoz=Extremadura",
     "Calle Mayor|Calle de Alcalá|Gran Vía|Calle del Sol|Avenida de la Constitución|"
     "Calle Real|Plaza de España|Calle de la Iglesia|Paseo de Extremadura|Calle de Segovia|"
     "Avenida de Andalucía|Calle Nueva|Calle del Carmen|Rambla de Catalunya",
     "0N###|N####", "9##-###-###|6##-###-###", "telefonica.net|yahoo.es|movistar.es"},
    {"FI", "Finland",
     "Eino|Väinö|Onni|Leo|Elias|Oliver|Eeli|Niilo|Aapo|Toivo|Mikko|Juha|Jukka|Matti|Pekka|"
     "Antti|Ville|Jyrki|Tapio|Eetu",
     "Aino|Eevi|Olivia|Helmi|Sofia|Aada|Isla|Venla|Ella|Lilja|Siiri|Anni|Pihla|Emilia|Hilla|"
     "Päivi|Tuula|Marjatta|Sanna|Kaisa",
     "Korhonen|Virtanen|Mäkinen|Nieminen|Mäkelä|Hämäläinen|Laine|Heikkinen|Koskinen|"
     "Järvinen|Lehtonen|Lehtinen|Saarinen|Salminen|Heinonen|Niemi|Heikkilä|Kinnunen|Salonen|"
     "Turunen|Salo|Laitinen|Tuominen|Rantanen|Karjalainen|Jokinen|Mattila|Savolainen|"
     "Lahtinen|Ahonen",
     "Helsinki=Uusimaa|Espoo=Uusimaa|Vantaa=Uusimaa|Porvoo=Uusimaa|Tampere=Pirkanmaa|"
     "Nokia=Pirkanmaa|Turku=Varsinais-Suomi|Salo=Varsinais-Suomi|Oulu=Pohjois-Pohjanmaa|"
     "Jyväskylä=Keski-Suomi|Lahti=Päijät-Häme|Kuopio=Pohjois-Savo|Pori=Satakunta|"
     "Joensuu=Pohjois-Karjala|Lappeenranta=Etelä-Karjala|Hämeenlinna=Kanta-Häme|"
     "Vaasa=Pohjanmaa|Seinäjoki=Etelä-Pohjanmaa|Rovaniemi=Lappi|Kotka=Kymenlaakso|"
     "Mikkeli=Etelä-Savo|Kajaani=Kainuu|Kokkola=Keski-Pohjanmaa|Maarianhamina=Ahvenanmaa",
     "Hämeenkatu|Mannerheimintie|Aleksanterinkatu|Pohjoisesplanadi|Rautatienkatu|Koulukatu|"
     "Kirkkokatu|Satakunnankatu|Tehtaankatu|Pyynikintie|Hallituskatu|Esplanadi|"
     "Itsenäisyydenkatu|Mäkelänkatu",
     "#####", "0N-###-###|04#-###-##-##", "luukku.com|elisanet.fi|kolumbus.fi"},
    {"FR", "France",
     "Gabriel|Léo|Raphaël|Louis|Arthur|Jules|Adam|Maël|Lucas|Hugo|Noah|Théo|Nathan|Paul|"
     "Timothée|Benoît|Jérôme|François|Aurélien|Cédric",
     "Jade|Louise|Emma|Alice|Ambre|Lina|Rose|Chloé|Léa|Mia|Anna|Inès|Manon|Camille|Agathe|Zoé|"
     "Margaux|Hélène|Élodie|Noémie",
     "Martin|Bernard|Thomas|Petit|Robert|Richard|Durand|Dubois|Moreau|Laurent|Simon|Michel|"
     "Lefèvre|Leroy|Roux|David|Bertrand|Morel|Fournier|Girard|Bonnet|Dupont|Lambert|Fontaine|"
     "Rousseau|Vincent|Muller|Lefebvre|Faure|André|Mercier|Blanc|Guérin|Boyer|Chevalier|"
     "Lemaître",
     "Paris=Île-de-France|Versailles=Île-de-France|Boulogne-Billancourt=Île-de-France|"
     "Créteil=Île-de-France|Marseille=Provence-Alpes-Côte d'Azur|"
     "Nice=Provence-Alpes-Côte d'Azur|Toulon=Provence-Alpes-Côte d'Azur|"
     "Avignon=Provence-Alpes-Côte d'Azur|Lyon=Auvergne-Rhône-Alpes|"
     "Grenoble=Auvergne-Rhône-Alpes|Saint-Étienne=Auvergne-Rhône-Alpes|"
     "Clermont-Ferrand=Auvergne-Rhône-Alpes|Annecy=Auvergne-Rhône-Alpes|Toulouse=Occitanie|"
     "Montpellier=Occitanie|Nîmes=Occitanie|Perpignan=Occitanie|Bordeaux=Nouvelle-Aquitaine|"
     "Limoges=Nouvelle-Aquitaine|Poitiers=Nouvelle-Aquitaine|La Rochelle=Nouvelle-Aquitaine|"
     "Nantes=Pays de la Loire|Angers=Pays de la Loire|Le Mans=Pays de la Loire|"
     "Strasbourg=Grand Est|Reims=Grand Est|Metz=Grand Est|Nancy=Grand Est|Mulhouse=Grand Est|"
     "Lille=Hauts-de-France|Amiens=Hauts-de-France|Rennes=Bretagne|Brest=Bretagne|"
     "Rouen=Normandie|Caen=Normandie|Le Havre=Normandie|Dijon=Bourgogne-Franche-Comté|"
     "Besançon=Bourgogne-Franche-Comté|Orléans=Centre-Val de Loire|Tours=Centre-Val de Loire|"
     "Ajaccio=Corse",
     "Rue de la Paix|Rue Victor-Hugo|Avenue Jean-Jaurès|Rue de la République|Rue Pasteur|"
     "Place du Marché|Rue des Écoles|Rue du Château|Boulevard Gambetta|Rue Nationale|"
     "Rue de l'Église|Avenue de la Libération|Rue Principale|Rue du Moulin|Quai Saint-Michel",
     "0N###|N####", "0N-##-##-##-##|06-##-##-##-##", "orange.fr|free.fr|laposte.net|sfr.fr"},
    {"GB", "United Kingdom",
     "Oliver|George|Harry|Noah|Jack|Leo|Arthur|Muhammad|Oscar|Charlie|Jacob|Thomas|Henry|Alfie|"
     "William|Freddie|Archie|Joshua|Alexander|Callum",
     "Olivia|Amelia|Isla|Ava|Ivy|Freya|Lily|Florence|Mia|Willow|Rosie|Sophia|Isabella|Grace|"
     "Evie|Poppy|Emily|Elsie|Harriet|Siobhan",
     "Smith|Jones|Taylor|Brown|Williams|Wilson|Johnson|Davies|Patel|Robinson|Wright|Thompson|"
     "Evans|Walker|White|Roberts|Green|Hall|Wood|Jackson|Clarke|Hughes|Edwards|Turner|Lewis|"
     "Harris|Khan|Ahmed|Murphy|Baker|Cooper|Ward|O'Connor",
     "London=Greater London|Croydon=Greater London|Manchester=Greater Manchester|"
     "Bolton=Greater Manchester|Birmingham=West Midlands|Coventry=West Midlands|"
     "Wolverhampton=West Midlands|Leeds=West Yorkshire|Bradford=West Yorkshire|"
     "Sheffield=South Yorkshire|York=North Yorkshire|Liverpool=Merseyside|"
     "Newcastle upon Tyne=Tyne and Wear|Sunderland=Tyne and Wear|Bristol=Bristol|"
     "Bath=Somerset|Exeter=Devon|Plymouth=Devon|Norwich=Norfolk|Cambridge=Cambridgeshire|"
     "Oxford=Oxfordshire|Reading=Berkshire|Brighton=East Sussex|Canterbury=Kent|"
     "Southampton=Hampshire|Portsmouth=Hampshire|Nottingham=Nottinghamshire|"
     "Leicester=Leicestershire|Derby=Derbyshire|Worcester=Worcestershire|Carlisle=Cumbria|"
     "Lancaster=Lancashire|Edinburgh=City of Edinburgh|Glasgow=Glasgow City|"
     "Aberdeen=Aberdeenshire|Dundee=Dundee City|Cardiff=Cardiff|Swansea=Swansea|"
     "Belfast=County Antrim|Derry=County Londonderry",
     "High Street|Station Road|Church Road|Main Street|Park Road|London Road|Victoria Road|"
     "Green Lane|Manor Road|Church Lane|Mill Lane|Kings Road|Queens Road|The Crescent|"
     "New Street|Grange Road",
     "A# #AA|A## #AA|AA# #AA|AA## #AA|A#A #AA|AA#A #AA", "0#### ######|0N# #### ####|07### ######",
     "btinternet.com|sky.com|talktalk.net"},
    {"IE", "Ireland",
     "Jack|Noah|James|Conor|Cian|Oisín|Darragh|Fionn|Seán|Liam|Tadhg|Rían|Cillian|Patrick|"
     "Ronan|Eoin|Pádraig|Ciarán|Daithí|Niall",
     "Grace|Emily|Fiadh|Sophie|Ava|Lily|Mia|Éabha|Aoife|Saoirse|Caoimhe|Niamh|Róisín|Síofra|"
     "Clodagh|Siobhán|Orla|Méabh|Aisling|Nuala",
     "Murphy|Kelly|O'Sullivan|Walsh|Smith|O'Brien|Byrne|Ryan|O'Connor|O'Neill|O'Reilly|Doyle|"
     "McCarthy|Gallagher|O'Doherty|Kennedy|Lynch|Murray|Quinn|Moore|McLoughlin|Carroll|"
     "Connolly|Daly|Ó Briain|Mac Giolla Phádraig|Fitzgerald|Brennan|Burke|Collins",
     "Dublin=County Dublin|Swords=County Dublin|Dún Laoghaire=County Dublin|Cork=County Cork|"
     "Cobh=County Cork|Mallow=County Cork|Limerick=County Limerick|Galway=County Galway|"
     "Tuam=County Galway|Waterford=County Waterford|Kilkenny=County Kilkenny|"
     "Sligo=County Sligo|Drogheda=County Louth|Dundalk=County Louth|Navan=County Meath|"
     "Ennis=County Clare|Tralee=County Kerry|Killarney=County Kerry|"
     "Athlone=County Westmeath|Wexford=County Wexford|Letterkenny=County Donegal|"
     "Carlow=County Carlow|Tullamore=County Offaly|Castlebar=County Mayo|"
     "Portlaoise=County Laois",
     "Main Street|O'Connell Street|Grafton Street|Church Street|Bridge Street|"
     "Patrick Street|Strand Road|Castle Street|Mill Road|Green Street|The Mall|Shop Street|"
     "Bóthar na Trá|Sráid an Mhuilinn",
     "D0N XXXX|D1N XXXX|T## XXXX|H9# XXXX|V9# XXXX|R## XXXX|W## XXXX|K## XXXX|P## XXXX",
     "0##-###-####|08#-###-####", "eircom.net|iol.ie"},
    {"IN", "India",
     "आरव=Aarav|विवान=Vivaan|आदित्य=Aditya|विहान=Vihaan|अर्जुन=Arjun|साईं=Sai|रेयांश=Reyansh|"
     "अयान=Ayaan|कृष्णा=Krishna|इशान=Ishaan|राहुल=Rahul|रोहित=Rohit|अमित=Amit|विकास=Vikas|"
     "सुरेश=Suresh|राजेश=Rajesh|अनिल=Anil|प्रकाश=Prakash|संजय=Sanjay|दीपक=Deepak",
     "अनन्या=Ananya|दिया=Diya|सान्वी=Saanvi|आध्या=Aadhya|पीहू=Pihu|अनिका=Anika|प्रिया=Priya|"
     "पूजा=Pooja|नेहा=Neha|कविता=Kavita|सुनीता=Sunita|अंजलि=Anjali|मीरा=Meera|ईशा=Isha|"
     "श्रेया=Shreya|रिया=Riya|लक्ष्मी=Lakshmi|गीता=Geeta|स्नेहा=Sneha|आरती=Aarti",
     "शर्मा=Sharma|वर्मा=Verma|गुप्ता=Gupta|सिंह=Singh|कुमार=Kumar|पटेल=Patel|शाह=Shah|"
     "मेहता=Mehta|जोशी=Joshi|देसाई=Desai|राव=Rao|रेड्डी=Reddy|नायर=Nair|अय्यर=Iyer|"
     "मिश्रा=Mishra|पांडे=Pandey|यादव=Yadav|चौधरी=Chaudhary|कपूर=Kapoor|मल्होत्रा=Malhotra|"
     "बनर्जी=Banerjee|मुखर्जी=Mukherjee|दास=Das|भट्ट=Bhatt|कुलकर्णी=Kulkarni|पाटिल=Patil|"
     "सक्सेना=Saxena|अग्रवाल=Agarwal",
     "Mumbai=Maharashtra|Pune=Maharashtra|Nagpur=Maharashtra|Nashik=Maharashtra|Delhi=Delhi|"
     "Bengaluru=Karnataka|Mysuru=Karnataka|Mangaluru=Karnataka|Chennai=Tamil Nadu|"
     "Coimbatore=Tamil Nadu|Madurai=Tamil Nadu|Hyderabad=Telangana|Warangal=Telangana|"
     "Kolkata=West Bengal|Siliguri=West Bengal|Ahmedabad=Gujarat|Surat=Gujarat|"
     "Vadodara=Gujarat|Rajkot=Gujarat|Jaipur=Rajasthan|Jodhpur=Rajasthan|Udaipur=Rajasthan|"
     "Lucknow=Uttar Pradesh|Kanpur=Uttar Pradesh|Varanasi=Uttar Pradesh|Agra=Uttar Pradesh|"
     "Patna=Bihar|Bhopal=Madhya Pradesh|Indore=Madhya Pradesh|Kochi=Kerala|"
     "Thiruvananthapuram=Kerala|Chandigarh=Chandigarh|Amritsar=Punjab|Ludhiana=Punjab|"
     "Bhubaneswar=Odisha|Guwahati=Assam|Visakhapatnam=Andhra Pradesh|"
     "Vijayawada=Andhra Pradesh|Dehradun=Uttarakhand|Panaji=Goa",
     "Mahatma Gandhi Road|Nehru Road|Station Road|Park Street|Anna Salai|Brigade Road|"
     "Linking Road|Marine Drive|Ring Road|Subhash Marg|Tilak Road|Sardar Patel Road|Hill Road|"
     "Rajaji Marg",
     "N#####", "9#########|8#########|7#########|+91 9#### #####", "rediffmail.com|yahoo.co.in",
     650},
    {"IR", "Iran",
     "محمد=Mohammad|علی=Ali|حسین=Hossein|رضا=Reza|مهدی=Mehdi|امیر=Amir|آرش=Arash|سینا=Sina|"
     "پارسا=Parsa|کیان=Kian|آرین=Arian|نیما=Nima|بهرام=Bahram|کوروش=Kourosh|داریوش=Dariush|"
     "سامان=Saman|پویا=Pouya|امید=Omid|حمید=Hamid|مسعود=Masoud",
     "فاطمه=Fatemeh|زهرا=Zahra|مریم=Maryam|نرگس=Narges|سارا=Sara|نازنین=Nazanin|"
     "ریحانه=Reyhaneh|الهام=Elham|مهسا=Mahsa|نیلوفر=Niloufar|پریسا=Parisa|شیرین=Shirin|"
     "یاسمن=Yasaman|آیدا=Aida|رها=Raha|ستاره=Setareh|مینا=Mina|لیلا=Leila|هانیه=Hanieh|"
     "کیمیا=Kimia",
     "احمدی=Ahmadi|محمدی=Mohammadi|حسینی=Hosseini|رضایی=Rezaei|موسوی=Mousavi|کریمی=Karimi|"
     "جعفری=Jafari|رحیمی=Rahimi|کاظمی=Kazemi|صادقی=Sadeghi|قاسمی=Ghasemi|حیدری=Heydari|"
     "نوری=Nouri|مرادی=Moradi|عباسی=Abbasi|اکبری=Akbari|سلیمانی=Soleimani|نجفی=Najafi|"
     "زارعی=Zarei|یزدانی=Yazdani|طاهری=Taheri|شریفی=Sharifi|کرمانی=Kermani|تهرانی=Tehrani|"
     "امینی=Amini|رستمی=Rostami|بهرامی=Bahrami",
     "تهران=تهران|کرج=البرز|مشهد=خراسان رضوی|نیشابور=خراسان رضوی|اصفهان=اصفهان|"
     "کاشان=اصفهان|شیراز=فارس|تبریز=آذربایجان شرقی|ارومیه=آذربایجان غربی|اهواز=خوزستان|"
     "آبادان=خوزستان|قم=قم|کرمانشاه=کرمانشاه|رشت=گیلان|ساری=مازندران|بابل=مازندران|"
     "همدان=همدان|یزد=یزد|کرمان=کرمان|اراک=مرکزی|زنجان=زنجان|سنندج=کردستان|"
     "بندرعباس=هرمزگان|بوشهر=بوشهر|گرگان=گلستان|قزوین=قزوین|زاهدان=سیستان و بلوچستان|"
     "اردبیل=اردبیل",
     "ولیعصر|شهید بهشتی|آزادی|انقلاب|شریعتی|مطهری|فاطمی|کارگر شمالی|پاسداران|"
     "جمهوری اسلامی|میدان آزادی|حافظ|سعدی|فردوسی",
     "NNNNN-NNNNN", "0N#-########|09##-###-####", "chmail.ir|yahoo.com", 0},
    {"MX", "Mexico",
     "Santiago|Mateo|Sebastián|Leonardo|Emiliano|Diego|Miguel Ángel|Daniel|Alejandro|"
     "José Luis|Juan Carlos|Jesús|Luis|Fernando|Ricardo|Eduardo|Jorge|Raúl|Ramón|Héctor",
     "Sofía|Valentina|Regina|María José|Ximena|Camila|Renata|Victoria|Guadalupe|Fernanda|"
     "Gabriela|Mariana|Andrea|Daniela|Alejandra|Paola|Itzel|Citlali|Rocío|Verónica",
     "Hernández|García|Martínez|López|González|Pérez|Rodríguez|Sánchez|Ramírez|Cruz|Flores|"
     "Gómez|Morales|Vázquez|Reyes|Jiménez|Torres|Díaz|Gutiérrez|Ruiz|Mendoza|Aguilar|Ortiz|"
     "Moreno|Castillo|Romero|Álvarez|Méndez|Chávez|Rivera|Juárez|Domínguez|Núñez",
     "Ciudad de México=Ciudad de México|Guadalajara=Jalisco|Zapopan=Jalisco|"
     "Puerto Vallarta=Jalisco|Monterrey=Nuevo León|San Nicolás de los Garza=Nuevo León|"
     "Puebla=Puebla|Tijuana=Baja California|Mexicali=Baja California|"
     "Ensenada=Baja California|León=Guanajuato|Guanajuato=Guanajuato|Querétaro=Querétaro|"
     "Mérida=Yucatán|Cancún=Quintana Roo|Oaxaca de Juárez=Oaxaca|Veracruz=Veracruz|"
     "Xalapa=Veracruz|Chihuahua=Chihuahua|Ciudad Juárez=Chihuahua|Hermosillo=Sonora|"
     "Culiacán=Sinaloa|Mazatlán=Sinaloa|Toluca=Estado de México|Ecatepec=Estado de México|"
     "Aguascalientes=Aguascalientes|San Luis Potosí=San Luis Potosí|Morelia=Michoacán|"
     "Cuernavaca=Morelos|Saltillo=Coahuila|Torreón=Coahuila|Durango=Durango|"
     "Tuxtla Gutiérrez=Chiapas|Villahermosa=Tabasco|Acapulco=Guerrero|Pachuca=Hidalgo",
     "Avenida Juárez|Calle Hidalgo|Avenida Reforma|Calle Morelos|Avenida Insurgentes|"
     "Calle Madero|Avenida Revolución|Calle Allende|Calle Guerrero|Avenida Benito Juárez|"
     "Calle Zaragoza|Privada de los Pinos|Callejón del Beso|Boulevard Miguel de Cervantes",
     "#####", "(N##) ### ####|(55) #### ####", "prodigy.net.mx|hotmail.com.mx"},
    {"NL", "Netherlands",
     "Noah|Daan|Sem|Lucas|Levi|Finn|Luuk|Bram|Milan|Jesse|Thijs|Sven|Ruben|Jeroen|Pieter|"
     "Willem|Joris|Maarten|Bas|Stijn",
     "Emma|Julia|Mila|Tess|Sophie|Zoë|Sara|Nora|Yara|Eva|Fenna|Lotte|Sanne|Femke|Anouk|Marloes|"
     "Ilse|Annelies|Inge|Mirjam",
     "de Jong|Jansen|de Vries|van den Berg|van Dijk|Bakker|Janssen|Visser|Smit|Meijer|de Boer|"
     "Mulder|de Groot|Bos|Vos|Peters|Hendriks|van Leeuwen|Dekker|Brouwer|de Wit|Dijkstra|"
     "Smits|de Graaf|van der Meer|van der Linden|Kok|Jacobs|de Haan|Vermeulen",
     "Amsterdam=Noord-Holland|Haarlem=Noord-Holland|Zaandam=Noord-Holland|"
     "Alkmaar=Noord-Holland|Rotterdam=Zuid-Holland|Den Haag=Zuid-Holland|Leiden=Zuid-Holland|"
     "Delft=Zuid-Holland|Dordrecht=Zuid-Holland|Utrecht=Utrecht|Amersfoort=Utrecht|"
     "Eindhoven=Noord-Brabant|Tilburg=Noord-Brabant|Breda=Noord-Brabant|"
     "'s-Hertogenbosch=Noord-Brabant|Groningen=Groningen|Leeuwarden=Friesland|"
     "Zwolle=Overijssel|Enschede=Overijssel|Arnhem=Gelderland|Nijmegen=Gelderland|"
     "Apeldoorn=Gelderland|Maastricht=Limburg|Venlo=Limburg|Assen=Drenthe|Emmen=Drenthe|"
     "Middelburg=Zeeland|Lelystad=Flevoland|Almere=Flevoland",
     "Kerkstraat|Schoolstraat|Molenweg|Dorpsstraat|Stationsweg|Julianastraat|Beatrixlaan|"
     "Wilhelminastraat|Oranjestraat|Nieuwstraat|Marktplein|Prinsengracht|Kastanjelaan|"
     "Lindelaan",
     "N### AA", "(0##) #######|06-########", "ziggo.nl|kpnmail.nl|planet.nl"},
    {"NO", "Norway",
     "Jakob|Noah|Emil|Lucas|Oliver|Isak|William|Filip|Aksel|Theodor|Magnus|Håkon|Ola|Lars|"
     "Ørjan|Sigurd|Eirik|Torbjørn|Kjetil|Vegard",
     "Nora|Emma|Olivia|Ella|Sofie|Leah|Frida|Ingrid|Sara|Maja|Astrid|Solveig|Kari|Åse|Ragnhild|"
     "Sigrid|Tuva|Hedda|Marit|Bjørg",
     "Hansen|Johansen|Olsen|Larsen|Andersen|Pedersen|Nilsen|Kristiansen|Jensen|Karlsen|"
     "Johnsen|Pettersen|Eriksen|Berg|Haugen|Hagen|Johannessen|Andreassen|Jacobsen|Dahl|"
     "Jørgensen|Halvorsen|Henriksen|Lund|Sørensen|Strand|Solberg|Moen|Bakken|Kristoffersen|"
     "Ødegård|Aasen|Sæther|Løken",
     "Oslo=Oslo|Bergen=Vestland|Førde=Vestland|Stavanger=Rogaland|Sandnes=Rogaland|"
     "Haugesund=Rogaland|Trondheim=Trøndelag|Steinkjer=Trøndelag|Drammen=Buskerud|"
     "Fredrikstad=Østfold|Sarpsborg=Østfold|Kristiansand=Agder|Arendal=Agder|Tromsø=Troms|"
     "Bodø=Nordland|Narvik=Nordland|Ålesund=Møre og Romsdal|Molde=Møre og Romsdal|"
     "Lillehammer=Innlandet|Hamar=Innlandet|Gjøvik=Innlandet|Tønsberg=Vestfold|"
     "Sandefjord=Vestfold|Skien=Telemark|Porsgrunn=Telemark|Alta=Finnmark|Bærum=Akershus|"
     "Lillestrøm=Akershus",
     "Storgata|Kirkegata|Skolegata|Kongens gate|Dronningens gate|Strandveien|"
     "Bjørnstjerne Bjørnsons gate|Sjøgata|Torggata|Fjellveien|Bakkeveien|Løkkeveien|"
     "Ringveien|Øvre Slottsgate",
     "####", "N#######|N# ## ## ##", "online.no|broadpark.no|getmail.no"},
    {"NZ", "New Zealand",
     "Oliver|Jack|Noah|Leo|George|Charlie|William|Lucas|Hunter|Mason|James|Thomas|Nikau|Ari|"
     "Tama|Wiremu|Mātiu|Samuel|Ethan|Harrison",
     "Isla|Charlotte|Olivia|Amelia|Mia|Ava|Harper|Lily|Willow|Sophie|Aria|Mila|Maia|Anahera|"
     "Kaia|Ruby|Hannah|Aroha|Manaia|Ngaio",
     "Smith|Wilson|Williams|Brown|Taylor|Jones|Anderson|Thompson|Walker|Harris|Martin|Young|"
     "Campbell|Robinson|King|Ngata|Tane|Parata|Te Whare|Moana|Wood|Clark|Scott|Mitchell|"
     "Hughes|Edwards|Stewart|Wright",
     "Auckland=Auckland|Manukau=Auckland|North Shore=Auckland|Wellington=Wellington|"
     "Lower Hutt=Wellington|Porirua=Wellington|Christchurch=Canterbury|Timaru=Canterbury|"
     "Hamilton=Waikato|Taupō=Waikato|Tauranga=Bay of Plenty|Rotorua=Bay of Plenty|"
     "Whakatāne=Bay of Plenty|Dunedin=Otago|Queenstown=Otago|"
     "Palmerston North=Manawatū-Whanganui|Whanganui=Manawatū-Whanganui|"
     "Napier=Hawke's Bay|Hastings=Hawke's Bay|Nelson=Nelson|Invercargill=Southland|"
     "New Plymouth=Taranaki|Whangārei=Northland|Gisborne=Gisborne|Blenheim=Marlborough|"
     "Greymouth=West Coast",
     "Queen Street|Victoria Street|Cuba Street|Colombo Street|George Street|Lambton Quay|"
     "Ponsonby Road|Dominion Road|Great North Road|Karangahape Road|Riccarton Road|"
     "Devon Street|Kōwhai Street|Tōtara Drive",
     "N###", "(0N) ### ####|02# ### ####", "xtra.co.nz|slingshot.co.nz"},
    {"RS", "Serbia",
     "Luka|Stefan|Nikola|Lazar|Marko|Aleksa|Vuk|Filip|Dušan|Miloš|Đorđe|Nemanja|Vukašin|Uroš|"
     "Jovan|Milan|Dragan|Zoran|Branislav|Živko",
     "Milica|Ana|Jovana|Teodora|Sofija|Anđela|Katarina|Jelena|Marija|Dunja|Sara|Tijana|Nevena|"
     "Ivana|Dragana|Snežana|Vesna|Gordana|Zorica|Ljiljana",
     "Jovanović|Petrović|Nikolić|Marković|Đorđević|Stojanović|Ilić|Stanković|Pavlović|"
     "Milošević|Popović|Jokić|Todorović|Kostić|Mitrović|Živković|Ristić|Lazić|Savić|"
     "Radovanović|Simić|Obradović|Tomić|Kovačević|Vasić|Božić|Šćepanović|Lukić|Mladenović|"
     "Čolić",
     "Beograd=Grad Beograd|Zemun=Grad Beograd|Novi Sad=Južnobački|Niš=Nišavski|"
     "Kragujevac=Šumadijski|Subotica=Severnobački|Zrenjanin=Srednjebanatski|"
     "Pančevo=Južnobanatski|Čačak=Moravički|Kraljevo=Raški|Novi Pazar=Raški|"
     "Smederevo=Podunavski|Leskovac=Jablanički|Valjevo=Kolubarski|Kruševac=Rasinski|"
     "Vranje=Pčinjski|Šabac=Mačvanski|Užice=Zlatiborski|Sombor=Zapadnobački|"
     "Požarevac=Braničevski|Pirot=Pirotski|Zaječar=Zaječarski|Kikinda=Severnobanatski|"
     "Sremska Mitrovica=Sremski|Jagodina=Pomoravski|Vršac=Južnobanatski|Prokuplje=Toplički",
     "Knez Mihailova|Bulevar oslobođenja|Kralja Petra|Njegoševa|Vojvode Stepe|Cara Dušana|"
     "Svetog Save|Nemanjina|Karađorđeva|Gospodar Jevremova|Vuka Karadžića|Žička|Takovska|"
     "Bulevar kralja Aleksandra",
     "N####", "0N#-####-###|06#-###-####", "mts.rs|eunet.rs|sbb.rs"},
    {"TR", "Turkey",
     "Yusuf|Eymen|Ömer|Alparslan|Mustafa|Aras|Miraç|Kerem|Emir|Göktuğ|Çınar|Eren|Burak|Mehmet|"
     "Ahmet|Hüseyin|İbrahim|Oğuz|Barış|Serkan",
     "Zeynep|Elif|Defne|Asel|Azra|Eylül|Ecrin|Nehir|Meryem|Zümra|Ayşe|Fatma|Emine|Hatice|"
     "Gülşen|Özlem|Şule|Büşra|İrem|Çağla",
     "Yılmaz|Kaya|Demir|Şahin|Çelik|Yıldız|Yıldırım|Öztürk|Aydın|Özdemir|Arslan|Doğan|Kılıç|"
     "Aslan|Çetin|Kara|Koç|Kurt|Özkan|Şimşek|Polat|Erdoğan|Korkmaz|Karaca|Güneş|Akın|Özer|"
     "Türkmen|Bulut|Keskin",
     "İstanbul=İstanbul|Ankara=Ankara|İzmir=İzmir|Bursa=Bursa|Antalya=Antalya|Alanya=Antalya|"
     "Konya=Konya|Adana=Adana|Gaziantep=Gaziantep|Kayseri=Kayseri|Mersin=Mersin|"
     "Eskişehir=Eskişehir|Diyarbakır=Diyarbakır|Samsun=Samsun|Trabzon=Trabzon|"
     "Denizli=Denizli|Şanlıurfa=Şanlıurfa|Malatya=Malatya|Erzurum=Erzurum|Van=Van|"
     "Sakarya=Sakarya|İzmit=Kocaeli|Manisa=Manisa|Balıkesir=Balıkesir|Muğla=Muğla|"
     "Bodrum=Muğla|Aydın=Aydın|Tekirdağ=Tekirdağ|Çanakkale=Çanakkale|Edirne=Edirne|"
     "Kahramanmaraş=Kahramanmaraş|Antakya=Hatay|Sivas=Sivas|Elazığ=Elazığ",
     "Atatürk Caddesi|Cumhuriyet Caddesi|İstiklal Caddesi|Bağdat Caddesi|İnönü Caddesi|"
     "Fevzi Çakmak Sokak|Kıbrıs Şehitleri Caddesi|Mevlana Caddesi|"
     "Gazi Mustafa Kemal Bulvarı|Hürriyet Caddesi|Menekşe Sokak|Çiçek Sokak|Lale Sokak|"
     "Ergenekon Caddesi",
     "0N###|N####", "(5##) ### ## ##|(2##) ### ## ##", "hotmail.com.tr|ttmail.com|mynet.com"},
    {"UA", "Ukraine",
     "Олександр=Oleksandr|Андрій=Andrii|Дмитро=Dmytro|Максим=Maksym|Іван=Ivan|Сергій=Serhii|"
     "Володимир=Volodymyr|Микола=Mykola|Богдан=Bohdan|Тарас=Taras|Ярослав=Yaroslav|"
     "Остап=Ostap|Юрій=Yurii|Віталій=Vitalii|Олег=Oleh|Петро=Petro|Василь=Vasyl|Артем=Artem|"
     "Назар=Nazar|Матвій=Matvii",
     "Олена=Olena|Оксана=Oksana|Наталія=Nataliia|Ірина=Iryna|Тетяна=Tetiana|Юлія=Yuliia|"
     "Анна=Anna|Марія=Mariia|Софія=Sofiia|Катерина=Kateryna|Дарина=Daryna|"
     "Вікторія=Viktoriia|Ганна=Hanna|Людмила=Liudmyla|Світлана=Svitlana|Зоряна=Zoriana|"
     "Соломія=Solomiia|Ярина=Yaryna|Христина=Khrystyna|Олеся=Olesia",
     "Шевченко=Shevchenko|Коваленко=Kovalenko|Бондаренко=Bondarenko|Ткаченко=Tkachenko|"
     "Кравченко=Kravchenko|Олійник=Oliinyk|Шевчук=Shevchuk|Поліщук=Polishchuk|"
     "Мельник=Melnyk|Бойко=Boiko|Коваль=Koval|Савченко=Savchenko|Руденко=Rudenko|"
     "Мороз=Moroz|Лисенко=Lysenko|Петренко=Petrenko|Харченко=Kharchenko|"
     "Марченко=Marchenko|Литвиненко=Lytvynenko|Кузьменко=Kuzmenko|Павленко=Pavlenko|"
     "Гончаренко=Honcharenko|Іваненко=Ivanenko|Ткачук=Tkachuk|Клименко=Klymenko|"
     "Левченко=Levchenko|Гнатюк=Hnatiuk|Яковенко=Yakovenko",
     "Київ=Київ|Біла Церква=Київська|Бориспіль=Київська|Харків=Харківська|Одеса=Одеська|"
     "Ізмаїл=Одеська|Дніпро=Дніпропетровська|Кривий Ріг=Дніпропетровська|Львів=Львівська|"
     "Дрогобич=Львівська|Запоріжжя=Запорізька|Вінниця=Вінницька|Полтава=Полтавська|"
     "Кременчук=Полтавська|Чернігів=Чернігівська|Житомир=Житомирська|"
     "Бердичів=Житомирська|Черкаси=Черкаська|Суми=Сумська|Миколаїв=Миколаївська|"
     "Херсон=Херсонська|Хмельницький=Хмельницька|Тернопіль=Тернопільська|"
     "Івано-Франківськ=Івано-Франківська|Рівне=Рівненська|Луцьк=Волинська|"
     "Ужгород=Закарпатська|Чернівці=Чернівецька|Кропивницький=Кіровоградська",
     "вулиця Шевченка|вулиця Франка|вулиця Лесі Українки|вулиця Грушевського|"
     "проспект Незалежності|вулиця Хрещатик|вулиця Садова|вулиця Миру|вулиця Соборна|"
     "вулиця Героїв Майдану|бульвар Лесі Українки|вулиця Зелена|провулок Квітковий|"
     "вулиця Сагайдачного",
     "0N###|N####", "(0##) ###-##-##", "ukr.net|i.ua|meta.ua"},
    {"US", "United States",
     "Liam|Noah|Oliver|James|Elijah|William|Henry|Lucas|Benjamin|Theodore|Michael|David|John|"
     "Robert|Christopher|Daniel|Matthew|Anthony|José|Tyrone",
     "Olivia|Emma|Charlotte|Amelia|Sophia|Mia|Isabella|Ava|Evelyn|Luna|Harper|Jennifer|"
     "Jessica|Ashley|Sarah|Maria|Brittany|Madison|Chloe|Aaliyah",
     "Smith|Johnson|Williams|Brown|Jones|Garcia|Miller|Davis|Rodriguez|Martinez|Hernandez|"
     "Lopez|Gonzalez|Wilson|Anderson|Thomas|Taylor|Moore|Jackson|Martin|Lee|Perez|Thompson|"
     "White|Harris|Sanchez|Clark|Ramirez|Lewis|Robinson|Walker|Young|Nguyen|Kim|O'Brien",
     "New York=New York|Buffalo=New York|Rochester=New York|Los Angeles=California|"
     "San Diego=California|San Francisco=California|Sacramento=California|Fresno=California|"
     "Chicago=Illinois|Springfield=Illinois|Houston=Texas|Dallas=Texas|Austin=Texas|"
     "San Antonio=Texas|El Paso=Texas|Phoenix=Arizona|Tucson=Arizona|"
     "Philadelphia=Pennsylvania|Pittsburgh=Pennsylvania|Jacksonville=Florida|Miami=Florida|"
     "Orlando=Florida|Tampa=Florida|Columbus=Ohio|Cleveland=Ohio|Cincinnati=Ohio|Dayton=Ohio|"
     "Charlotte=North Carolina|Raleigh=North Carolina|Indianapolis=Indiana|"
     "Seattle=Washington|Spokane=Washington|Denver=Colorado|Boston=Massachusetts|"
     "Detroit=Michigan|Nashville=Tennessee|Memphis=Tennessee|Portland=Oregon|Salem=Oregon|"
     "Las Vegas=Nevada|Baltimore=Maryland|Milwaukee=Wisconsin|Albuquerque=New Mexico|"
     "Atlanta=Georgia|Kansas City=Missouri|Omaha=Nebraska|Minneapolis=Minnesota|"
     "New Orleans=Louisiana|Anchorage=Alaska|Honolulu=Hawaii|Portland=Maine|"
     "Burlington=Vermont",
     "Main Street|Oak Street|Maple Avenue|Cedar Lane|Pine Street|Elm Street|"
     "Washington Avenue|Park Avenue|Lakeview Drive|Sunset Boulevard|Hillcrest Drive|"
     "Highland Avenue|Mill Road|Lincoln Street|Broadway|Church Street",
     "N####|N####-####", "(N##) N##-####|N##-N##-####", "aol.com|comcast.net|att.net"},
};

constexpr std::string_view kGlobalDomains[] = {"gmail.com",   "outlook.com", "yahoo.com",
                                               "hotmail.com", "icloud.com",  "proton.me"};

// ASCII spelling of U+00C0..U+017F (Latin-1 Supplement and Latin Extended-A).
constexpr const char* kLatinFold[] = {
    "a",  "a",  "a",  "a",  "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d",  "n",  "o",  "o",  "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a",  "a",  "a",  "a",  "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d",  "n",  "o",  "o",  "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",
    "a",  "a",  "a",  "a",  "a", "a", "c",  "c", "c", "c", "c", "c", "c", "c", "d",  "d",
    "dj", "dj", "e",  "e",  "e", "e", "e",  "e", "e", "e", "e", "e", "g", "g", "g",  "g",
    "g",  "g",  "g",  "g",  "h", "h", "h",  "h", "i", "i", "i", "i", "i", "i", "i",  "i",
    "i",  "i",  "ij", "ij", "j", "j", "k",  "k", "k", "l", "l", "l", "l", "l", "l",  "l",
    "l",  "l",  "l",  "n",  "n", "n", "n",  "n", "n", "n", "n", "n", "o", "o", "o",  "o",
    "o",  "o",  "oe", "oe", "r", "r", "r",  "r", "r", "r", "s", "s", "s", "s", "s",  "s",
    "s",  "s",  "t",  "t",  "t", "t", "t",  "t", "u", "u", "u", "u", "u", "u", "u",  "u",
    "u",  "u",  "u",  "u",  "w", "w", "y",  "y", "y", "z", "z", "z", "z", "z", "z",  "s"};
static_assert(std::size(kLatinFold) == 0x180 - 0xC0);

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::vector<Name> ParseNames(const char* list) {
  std::vector<Name> names;
  for (std::string_view item : Split(list, '|')) {
    const size_t eq = item.find('=');
    Name name;
    name.text = item.substr(0, eq);
    name.latin = eq == std::string_view::npos ? item : item.substr(eq + 1);
    name.email = AsciiFold(name.latin);
    names.push_back(std::move(name));
  }
  return names;
}

std::vector<Place> ParsePlaces(const char* list) {
  std::vector<Place> places;
  for (std::string_view item : Split(list, '|')) {
    const size_t eq = item.find('=');
    places.push_back(Place{item.substr(0, eq), item.substr(eq + 1)});
  }
  return places;
}

std::vector<Nationality> Build() {
  std::vector<Nationality> all;
  for (const NationalityText& t : kNationalities) {
    Nationality n;
    n.nat = t.nat;
    n.country = t.country;
    n.male = ParseNames(t.male);
    n.female = ParseNames(t.female);
    n.last = ParseNames(t.last);
    n.places = ParsePlaces(t.places);
    n.streets = Split(t.streets, '|');
    n.postcodes = Split(t.postcodes, '|');
    n.phones = Split(t.phones, '|');
    n.email_domains = Split(t.domains, '|');
    n.latin_per_mille = t.latin_per_mille;
    all.push_back(std::move(n));
  }
  return all;
}

}  // namespace

std::span<const Nationality> Nationalities() {
  static const std::vector<Nationality> all = Build();
  return all;
}

std::span<const std::string_view> GlobalEmailDomains() { return kGlobalDomains; }

std::string AsciiFold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') out.push_back(static_cast<char>(c - 'A' + 'a'));
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence; only two-byte ones can be Latin letters.
    size_t len = 1;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
    }
    if (len == 2 && i + 1 < text.size()) {
      const uint32_t cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
      if (cp >= 0xC0 && cp < 0x180) out += kLatinFold[cp - 0xC0];
    }
    i += len;
  }
  return out;
}

}  // namespace lakepipe::sources
