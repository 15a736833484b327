#!/usr/bin/env python3
"""Writes the demo territory: a FICTIONAL département 99, "Pays de Vauclerc", in the real INSEE,
geo.api, BPE, Sirene and Overpass formats. Every name, code, count and establishment is invented.
Run from this folder; the outputs are committed so `make demo` needs no Python."""
import csv, io, json, math, zipfile

COMMUNES = [  # code, name, pmun, lat, lon
    ("99001", "Vauclerc-le-Bourg", 2100, 46.000, 2.000),
    ("99002", "Saint-Amand-des-Brumes", 640, 46.060, 2.080),
    ("99003", "Les Landes-Noires", 180, 45.940, 2.090),
    ("99004", "Marcillac-sur-Vive", 890, 46.080, 1.900),
    ("99005", "Rochebrune-en-Bois", 320, 45.920, 1.920),
    ("99006", "Le Mont-Fauvel", 1450, 46.150, 2.020),
    ("99007", "Bellefond-la-Côte", 95, 46.010, 2.180),
    ("99008", "Val-d'Orvin", 760, 45.990, 1.820),
]
FORMER = [("99008", "Orvin"), ("99009", "Saint-Just-d'Orvin")]  # merged into Val-d'Orvin on 2019-01-01

def lambert93(lat, lon):
    """Forward Lambert conformal conic 2SP on GRS80 (EPSG:2154)."""
    a, f = 6378137.0, 1 / 298.257222101
    e = math.sqrt(2 * f - f * f)
    r = math.radians
    def m(p): return math.cos(p) / math.sqrt(1 - (e * math.sin(p)) ** 2)
    def t(p): return math.tan(math.pi / 4 - p / 2) / ((1 - e * math.sin(p)) / (1 + e * math.sin(p))) ** (e / 2)
    p1, p2, p0, l0 = r(49), r(44), r(46.5), r(3)
    n = (math.log(m(p1)) - math.log(m(p2))) / (math.log(t(p1)) - math.log(t(p2)))
    F = m(p1) / (n * t(p1) ** n)
    rho0 = a * F * t(p0) ** n
    rho = a * F * t(r(lat)) ** n
    th = n * (r(lon) - l0)
    return round(700000 + rho * math.sin(th), 1), round(6600000 + rho0 - rho * math.cos(th), 1)

def write(name, text, crlf=False):
    with open(name, "w", encoding="utf-8", newline="") as fh:
        fh.write(text.replace("\n", "\r\n") if crlf else text)

# COG 2026 communes (v_commune_2026.csv layout)
rows = ["TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT"]
for code, name, *_ in COMMUNES:
    rows.append(f"COM,{code},99,99,99D,991,0,{name.upper().replace('-', ' ')},{name},{name},9901,")
for code, name in FORMER:
    rows.append(f"COMD,{code},,,,,0,{name.upper().replace('-', ' ')},{name},{name},,99008")
write("v_commune_2026.csv", "\n".join(rows) + "\n")

# Change table: the commune nouvelle of 2019
mv = ["MOD,DATE_EFF,TYPECOM_AV,COM_AV,TNCC_AV,NCC_AV,NCCENR_AV,LIBELLE_AV,TYPECOM_AP,COM_AP,TNCC_AP,NCC_AP,NCCENR_AP,LIBELLE_AP"]
for code, name in FORMER:
    up = name.upper().replace("-", " ")
    mv.append(f"32,2019-01-01,COM,{code},0,{up},{name},{name},COMD,{code},0,{up},{name},{name}")
    mv.append(f"32,2019-01-01,COM,{code},0,{up},{name},{name},COM,99008,0,VAL D'ORVIN,Val-d'Orvin,Val-d'Orvin")
# Bellefond-la-Côte was re-established on 2015-01-01 out of Les Landes-Noires: files in an earlier
# geography counted its facilities with Les Landes-Noires and know nothing of it.
for before, after in [("99003", "99003"), ("99003", "99007")]:
    mv.append(f"21,2015-01-01,COM,{before},3,LANDES NOIRES,Landes-Noires,Les Landes-Noires,COM,{after},"
              + ("3,LANDES NOIRES,Landes-Noires,Les Landes-Noires" if after == before else "0,BELLEFOND LA COTE,Bellefond-la-Côte,Bellefond-la-Côte"))
write("v_mvt_commune_2026.csv", "\n".join(mv) + "\n")

# Populations légales 2023 (';', CRLF)
pop = ["REG;Région;DEP;CODARR;CODCAN;CODCOM;COM;Commune;PMUN;PCAP;PTOT"]
for code, name, pmun, *_ in COMMUNES:
    pop.append(f"99;Région fictive;99;1;01;{code[2:]};{code};{name};{pmun};{pmun // 50};{pmun + pmun // 50}")
write("donnees_communes_2023.csv", "\n".join(pop) + "\n", crlf=True)

# Populations légales 2021 (geography 2023, before nothing changed here): the trend of the score
POP2021 = {"99001": 2160, "99002": 610, "99003": 196, "99004": 884, "99005": 331, "99006": 1420, "99007": 97, "99008": 781}
pop = ["REG;Région;DEP;CODARR;CODCAN;CODCOM;COM;Commune;PMUN;PCAP;PTOT"]
for code, name, *_ in COMMUNES:
    pmun = POP2021[code]
    pop.append(f"99;Région fictive;99;1;01;{code[2:]};{code};{name};{pmun};{pmun // 50};{pmun + pmun // 50}")
write("donnees_communes_2021.csv", "\n".join(pop) + "\n", crlf=True)

# Centroids (communes_centroides layout)
cen = ["insee_com,commune_type,insee_dep,insee_reg,nom,lat,lng,superficie_km2,population_2021,population_2015"]
for code, name, pmun, lat, lon in COMMUNES:
    cen.append(f"{code},COM,99,99,\"{name}\",{lat},{lon},24.5,{pmun},{pmun + 20}")
write("communes_centroides.csv", "\n".join(cen) + "\n")

# Contours: a square of 0.06° around each centroid, counter-clockwise
feats = []
for code, name, pmun, lat, lon in COMMUNES:
    d = 0.03
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]
    feats.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": {"code": code, "nom": name}})
write("contours.geojson", json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False) + "\n")

# BPE 2013, commune x TYPEQU counts, in the 2013 geography (Orvin and Saint-Just separate; Bellefond not yet re-established)
bpe13 = {
    "99001": {"A504": 3, "B201": 1, "B203": 2, "B204": 1, "A206": 1, "C101": 1, "C104": 1, "D201": 3, "D301": 1, "A203": 2, "B102": 1},
    "99002": {"A504": 1, "B202": 1, "B203": 1, "A206": 1, "C104": 1},
    "99003": {"A504": 1, "B202": 1},
    "99004": {"A504": 1, "B203": 1, "A206": 1, "C104": 1, "D201": 1},
    "99005": {"B203": 1, "C104": 1},
    "99006": {"A504": 2, "B201": 1, "B203": 1, "A206": 1, "C101": 1, "C104": 1, "D201": 2, "D301": 1},
    "99008": {"A504": 1, "B203": 1, "C104": 1},
    "99009": {"A504": 1, "A206": 1},
}
lines = ["DEPCOM;AN;TYPEQU;NB_EQUIP"] + [f"{c};2013;{t};{n}" for c, ts in bpe13.items() for t, n in ts.items()]
write("bpe2013_communes_typequ.csv", "\n".join(lines) + "\n")

# BPE 2024, one row per facility, BPE24 layout (89 columns), zipped as INSEE ships it
HEADER = ("AN;NOMRS;CNOMRS;NUMVOIE;INDREP;TYPVOIE;LIBVOIE;CADR;CODPOS;DEPCOM;DEP;REG;LIBCOM;DOM;SDOM;TYPEQU;SIRET;STATUT_DIFFUSION;CANTINE;INTERNAT;RPI;EP;CL_PGE;SECT;ACCES_AIRE_PRATIQUE;ACCES_LIBRE;ACCES_SANITAIRE;ACCES_VESTIAIRE;CAPACITE_D_ACCUEIL;PRES_DOUCHE;PRES_SANITAIRE;SAISONNIER;COUVERT;ECLAIRE;CATEGORIE;MULTIPLEXE;STRUCTURE_EXERCICE;SPECIALITE;ACCUEIL;ITINERANCE;MODE_GESTION;SSTYPHEB;TYPE;IMPLANTATION_STATION;CAPACITE;INDIC_CAPA;NBEQUIDENT;INDIC_NBEQUIDENT;NBSALLES;INDIC_NBSALLES;NBLIEUX;INDIC_NBLIEUX;NB_PDC;INDIC_NB_PDC;NB_PDC_PA;INDIC_NB_PDC_PA;NB_PDC_ACCELEREE;INDIC_NB_PDC_ACCELEREE;NB_PDC_LENTE;INDIC_NB_PDC_LENTE;NB_PDC_RAPIDE;INDIC_NB_PDC_RAPIDE;NB_PDC_ULTRARAPIDE;INDIC_NB_PDC_ULTRARAPIDE;NB_JOURS_OUVERT;INDIC_NB_JOURS_OUVERT;LAMBERT_X;LAMBERT_Y;LONGITUDE;LATITUDE;QUALITE_XY;EPSG;QUALITE_GEOLOC;TR_DIST_PRECISION;DCIRIS;QUALI_IRIS;IRISEE;QP2024;QUALI_QP2024;QVA;QUALI_QVA;ZUS;QUALI_ZUS;EPCI;UU2020;BV2022;AAV2020;DENS3;DENS7").split(";")
bpe24 = {
    "99001": ["A504", "A504", "B201", "B207", "B207", "B204", "A206", "C101", "C104", "D201", "D201", "D307", "A203", "B102"],
    "99002": ["B207", "A208", "C104"],
    # Les Landes-Noires kept nothing at all: the national file has no row for it.
    "99004": ["A504", "A207", "C104"],
    "99005": ["F101"],
    "99006": ["A504", "A504", "B201", "B207", "A206", "C101", "C104", "D201", "D201", "D307"],
    "99007": ["B202"],
    "99008": ["A504", "C104", "F101"],
}
where = {c: (lat, lon, name) for c, name, _, lat, lon in COMMUNES}
out = io.StringIO()
w = csv.writer(out, delimiter=";", lineterminator="\n")
w.writerow(HEADER)
for code, types in bpe24.items():
    for i, t in enumerate(types):
        lat, lon, name = where[code]
        lat, lon = lat + 0.002 * (i % 3), lon + 0.002 * (i // 3)
        x, y = lambert93(lat, lon)
        row = {k: "" for k in HEADER}
        row.update(AN="2024", NOMRS=f"{t} de {name}" if i % 4 else f"Commerce \"{name}\"; centre", DEPCOM=code, DEP="99", REG="99",
                   LIBCOM=name, DOM=t[0], SDOM=t[:2], TYPEQU=t, STATUT_DIFFUSION="O", LAMBERT_X=x, LAMBERT_Y=y,
                   LONGITUDE=f"{lon:.6f}", LATITUDE=f"{lat:.6f}", QUALITE_XY="B" if i % 5 else "M", EPSG="2154",
                   QUALITE_GEOLOC="11", DCIRIS=code + "0000")
        w.writerow([row[k] for k in HEADER])
with zipfile.ZipFile("BPE24.zip", "w", zipfile.ZIP_DEFLATED) as z:
    info = zipfile.ZipInfo("BPE24.csv", date_time=(2025, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, out.getvalue())

# Sirene StockEtablissement extract (53 columns), zipped
SH = ("siren,nic,siret,statutDiffusionEtablissement,dateCreationEtablissement,trancheEffectifsEtablissement,anneeEffectifsEtablissement,activitePrincipaleRegistreMetiersEtablissement,dateDernierTraitementEtablissement,etablissementSiege,nombrePeriodesEtablissement,complementAdresseEtablissement,numeroVoieEtablissement,indiceRepetitionEtablissement,dernierNumeroVoieEtablissement,indiceRepetitionDernierNumeroVoieEtablissement,typeVoieEtablissement,libelleVoieEtablissement,codePostalEtablissement,libelleCommuneEtablissement,libelleCommuneEtrangerEtablissement,distributionSpecialeEtablissement,codeCommuneEtablissement,codeCedexEtablissement,libelleCedexEtablissement,codePaysEtrangerEtablissement,libellePaysEtrangerEtablissement,identifiantAdresseEtablissement,coordonneeLambertAbscisseEtablissement,coordonneeLambertOrdonneeEtablissement,complementAdresse2Etablissement,numeroVoie2Etablissement,indiceRepetition2Etablissement,typeVoie2Etablissement,libelleVoie2Etablissement,codePostal2Etablissement,libelleCommune2Etablissement,libelleCommuneEtranger2Etablissement,distributionSpeciale2Etablissement,codeCommune2Etablissement,codeCedex2Etablissement,libelleCedex2Etablissement,codePaysEtranger2Etablissement,libellePaysEtranger2Etablissement,dateDebut,etatAdministratifEtablissement,enseigne1Etablissement,enseigne2Etablissement,enseigne3Etablissement,denominationUsuelleEtablissement,activitePrincipaleEtablissement,nomenclatureActivitePrincipaleEtablissement,caractereEmployeurEtablissement").split(",")
est = [  # code, naf, created, state, dateDebut, enseigne, diffusion
    ("99001", "56.30Z", "1990-03-01", "A", "2010-01-01", "LE CAFE DES VOYAGEURS", "O"),
    ("99001", "56.30Z", "2005-06-15", "A", "2005-06-15", "BAR DU MARCHE, CHEZ PAUL", "O"),
    ("99001", "56.30Z", "1982-01-01", "F", "2016-09-30", "LE BALTO", "O"),
    ("99002", "56.30Z", "1985-05-01", "F", "2019-06-30", "CAFE DES BRUMES", "O"),
    ("99004", "56.30Z", "1978-02-01", "F", "2021-03-31", "AU RENDEZ-VOUS", "O"),
    ("99004", "56.10A", "2012-04-01", "A", "2012-04-01", "AUBERGE DE LA VIVE", "O"),
    ("99005", "56.30Z", "2017-07-01", "A", "2017-07-01", "L'ESTAMINET", "O"),
    ("99006", "56.30Z", "1999-09-01", "A", "1999-09-01", "CAFE DU MONT", "O"),
    ("99008", "56.30Z", "1970-01-01", "F", "2020-12-31", "[ND]", "P"),
    ("99003", "55.4A", "1975-01-01", "F", "2003-01-01", "ANCIEN BISTROT", "O"),
    # No enseigne, no usual name: listed under its activity (« Débit de boissons »).
    ("99006", "56.30Z", "1960-01-01", "F", "1998-12-31", "", "O"),
]
out = io.StringIO()
w = csv.writer(out, lineterminator="\n")
w.writerow(SH)
for i, (code, naf, created, state, debut, name, diff) in enumerate(est):
    siren = f"9{i:07d}"
    row = {k: "" for k in SH}
    lat, lon, _ = where[code]
    x, y = lambert93(lat - 0.003, lon + 0.001 * i)
    nd = diff == "P"
    row.update(siren=siren + "0", nic="00012", siret=siren + "000012", statutDiffusionEtablissement=diff, dateCreationEtablissement=created,
               codeCommuneEtablissement=code, codePostalEtablissement="99" + code[2:],
               coordonneeLambertAbscisseEtablissement="[ND]" if nd else x, coordonneeLambertOrdonneeEtablissement="[ND]" if nd else y,
               numeroVoieEtablissement="[ND]" if nd else str(i + 1), dateDebut=debut, etatAdministratifEtablissement=state,
               typeVoieEtablissement="[ND]" if nd else ["RUE", "PL", "RTE", "AV"][i % 4],
               libelleVoieEtablissement="[ND]" if nd else ["DE LA MAIRIE", "DU MARCHE", "DE GUERET", "DES TILLEULS"][i % 4],
               libelleCommuneEtablissement=where[code][2].upper(),
               enseigne1Etablissement=name,
               # A non-diffusible row that still carries a person's name: it must never reach an output.
               denominationUsuelleEtablissement="JEAN DUPONT" if nd else "",
               activitePrincipaleEtablissement=naf,
               nomenclatureActivitePrincipaleEtablissement="NAFRev1" if naf == "55.4A" else "NAFRev2", etablissementSiege="true")
    w.writerow([row[k] for k in SH])
with zipfile.ZipFile("StockEtablissement_utf8.zip", "w", zipfile.ZIP_DEFLATED) as z:
    info = zipfile.ZipInfo("StockEtablissement_utf8.csv", date_time=(2025, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, out.getvalue())

# Overpass answer (out center tags)
elements = [
    {"type": "node", "id": 990001, "lat": 46.0012, "lon": 2.0021, "tags": {"amenity": "cafe", "name": "Café de la Place"}},
    {"type": "node", "id": 990002, "lat": 46.1503, "lon": 2.0207, "tags": {"amenity": "bar", "name": "Le Fauvel"}},
    {"type": "node", "id": 990003, "lat": 45.9402, "lon": 2.0905, "tags": {"disused:amenity": "cafe", "name": "Ancien café",
     "addr:housenumber": "3", "addr:street": "Place de l'Église", "addr:postcode": "99330"}},
    {"type": "way", "id": 990004, "center": {"lat": 46.0608, "lon": 2.0811}, "tags": {"shop": "bakery", "name": "Fournil des Brumes"}},
]
doc = {"version": 0.6, "generator": "Overpass API (demo, fictional)", "osm3s": {"timestamp_osm_base": "2026-01-01T00:00:00Z",
       "copyright": "Fictional demo data in the Overpass format."}, "elements": elements}
write("overpass.json", json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
