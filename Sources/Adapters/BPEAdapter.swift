import Formats
import Geo
import Territory

/// INSEE BPE in the three shapes published: commune × TYPEQU counts, IRIS × TYPEQU counts
/// (both with `NB_EQUIP`), and the geolocated file with one row per facility (2021+).
public struct BPEAdapter: SourceAdapter {
    /// TYPEQU codes the category mapping keeps as points in the file's vintage (nil: all). A
    /// facility of another type only counts (``FacilityTally``), without projecting its position
    /// or reading its name: most rows of the national file (measured: ingest ≈ 1/3 faster).
    let pointTypes: Set<String>?

    public init(pointTypes: Set<String>? = nil) { self.pointTypes = pointTypes }

    public func read(_ input: ByteReaderInput, spec: SourceSpec, into sink: RecordSink) throws -> Int {
        let csv = try input.csv()
        let h = csv.header
        let code = try h.require(spec.names("code", default: ["DEPCOM", "CODGEO", "COM"]))
        let type = try h.require("TYPEQU")
        if let count = h.column("NB_EQUIP") {
            // Counted as a point file's facilities are, a row adding its count: one record per
            // commune (its IRIS rows together), none per row.
            var tally = FacilityTally(pointTypes: [])
            let rows = try csv.forEachRow(input: input, sink: sink) {
                guard let c = tally.commune(csv, column: code) else {
                    return try sink.reject(line: csv.line, reason: "invalid commune code \(csv.string(code) ?? "")")
                }
                guard let t = tally.type(csv, column: type) else {
                    return try sink.reject(line: csv.line, reason: "invalid TYPEQU")
                }
                // A count of one type in one commune: a billion is no count (and would not fit).
                guard let n = csv.decimal(count), n >= 0, n == n.rounded(), n < 1e9 else {
                    return try sink.reject(line: csv.line, reason: "invalid NB_EQUIP \(csv.string(count) ?? "")")
                }
                try tally.move(to: c, sink: sink, line: csv.line)
                tally.count(t, amount: Int(n))
            }
            try tally.flush(into: sink, line: csv.line)
            return rows
        }
        guard h.column("LAMBERT_X", "LONGITUDE") != nil else {
            throw SourceError(
                source: spec.name,
                "not a BPE file: neither NB_EQUIP (counts) nor LAMBERT_X/LONGITUDE (facilities) in the header")
        }
        return try readFacilities(csv, input: input, code: code, type: type, sink: sink)
    }

    private func readFacilities(
        _ csv: CSVReader, input: ByteReaderInput, code: Int, type: Int, sink: RecordSink
    ) throws -> Int {
        let h = csv.header
        let x = h.column("LAMBERT_X")
        let y = h.column("LAMBERT_Y")
        let lon = h.column("LONGITUDE")
        let lat = h.column("LATITUDE")
        let epsg = h.column("EPSG")
        let quality = h.column("QUALITE_XY")
        let geoloc = h.column("QUALITE_GEOLOC")
        let name = h.column("NOMRS")
        let siret = h.column("SIRET")
        let diffusion = h.column("STATUT_DIFFUSION")
        let address = PostalAddress.Columns(
            number: h.column("NUMVOIE"), repetition: h.column("INDREP"), streetType: h.column("TYPVOIE"),
            street: h.column("LIBVOIE"), postcode: h.column("CODPOS"), city: h.column("LIBCOM"))
        let projector = Projector()
        var tally = FacilityTally(pointTypes: pointTypes)
        // The identities given so far in the current commune, to number facilities alike.
        var alike: (commune: CommuneCode?, seen: [String: Int]) = (nil, [:])
        let rows = try csv.forEachRow(input: input, sink: sink) {
            guard let c = tally.commune(csv, column: code) else {
                return try sink.reject(line: csv.line, reason: "invalid commune code \(csv.string(code) ?? "")")
            }
            guard let facilityType = tally.type(csv, column: type) else {
                return try sink.reject(line: csv.line, reason: "invalid TYPEQU")
            }
            try tally.move(to: c, sink: sink, line: csv.line)
            tally.count(facilityType)
            guard facilityType.isPoint else { return }
            let t = facilityType.code
            var position: Coordinate?
            if let a = csv.decimal(lat), let o = csv.decimal(lon), Coordinate(lat: a, lon: o).isValid, a != 0 {
                position = Coordinate(lat: a, lon: o)
            } else if let px = csv.decimal(x), let py = csv.decimal(y) {
                position = projector.toWGS84(
                    x: px, y: py, epsg: csv.integer(epsg) ?? Projector.epsg(forDepartement: c.departement))
            }
            let partial = csv.field(diffusion, is: "P")
            let enterprise = csv.value(siret)
            let facilityName = csv.value(name)
            // A facility has no identifier of its own. One SIRET can hold facilities of several
            // types (a café-restaurant-grocery): its SIRET and type, then. Without SIRET, a
            // fingerprint of what it is and where — not its coordinates, which a re-geolocation
            // moves, nor its line, which moves from one edition to the next. Facilities alike in a
            // commune are numbered (the files list each commune's facilities together).
            let base =
                enterprise.map { $0 + "." + t }
                ?? Self.fingerprint([
                    c.rawValue, t, facilityName, csv.value(address.number), csv.value(address.repetition),
                    csv.value(address.streetType), csv.value(address.street),
                ])
            if c != alike.commune {
                alike.commune = c
                alike.seen.removeAll(keepingCapacity: true)
            }
            let n = alike.seen.increment(base)
            let site = Site(
                code: c, type: t, externalID: n == 1 ? base : "\(base).\(n)",
                name: partial ? nil : facilityName,
                address: partial ? nil : address.line(csv),
                position: position,
                usableForDistance: position != nil && Self.isUsable(csv, qualityColumn: quality, geolocColumn: geoloc),
                nonDiffusible: partial)
            try sink.emit(.site(site), line: csv.line)
        }
        try tally.flush(into: sink, line: csv.line)
        return rows
    }

    /// `h` and 16 hex digits: the FNV-1a hash of the fields (a missing one hashed as empty).
    static func fingerprint(_ fields: [String?]) -> String {
        "h" + FNV1a.hex(fields.map { $0 ?? "" })
    }

    /// Good and acceptable geolocations (QUALITE_XY and QUALITE_GEOLOC, in the row's columns
    /// `qualityColumn` and `geolocColumn`) are usable for distances; "mauvaise", unknown, missing
    /// and positions randomised in the commune (QUALITE_GEOLOC 33) are not.
    static func isUsable(_ csv: CSVReader, qualityColumn: Int?, geolocColumn: Int?) -> Bool {
        ["b", "a", "bonne", "acceptable"].contains { csv.field(qualityColumn, is: $0, ignoringCase: true) }
            && !csv.field(geolocColumn, is: "33")
    }
}

extension Dictionary where Value == Int {
    /// Adds one to `key`'s count (from 0) and returns it: one lookup, where reading then writing
    /// the count hashed the key twice.
    fileprivate mutating func increment(_ key: Key) -> Int {
        func add(_ count: inout Int) -> Int {
            count += 1
            return count
        }
        return add(&self[key, default: 0])
    }
}
