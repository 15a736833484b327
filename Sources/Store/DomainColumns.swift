import Analysis
import Catalog
import Foundation
import GRDB
import Territory

// The domain's values as SQLite values: each stored by its raw text (GRDB's default for
// `RawRepresentable` types), so the store's columns read like the config and the JSON.
extension CommuneCode: DatabaseValueConvertible {}
extension ServiceCategory: DatabaseValueConvertible {}
extension ServiceCategory.Kind: DatabaseValueConvertible {}
extension SourceKind: DatabaseValueConvertible {}
extension LossFlag: DatabaseValueConvertible {}
extension FieldStatus: DatabaseValueConvertible {}
extension PremisesKind: DatabaseValueConvertible {}
extension LicenceIV: DatabaseValueConvertible {}
extension SiteStatus: DatabaseValueConvertible {}
extension AlertChange: DatabaseValueConvertible {}
extension WebhookDelivery.State: DatabaseValueConvertible {}
extension WebhookDelivery.Outcome: DatabaseValueConvertible {}

// The domain's records as rows: `Codable` properties named after the columns (snake case), read
// from the views of the current analysis (an analysis writes its own generation's tables).
extension FlagRecord: FetchableRecord, TableRecord {
    public static let databaseTableName = "flag"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

    public enum Columns {
        public static let commune = Column("commune")
        public static let category = Column("category")
        public static let flag = Column("flag")
    }
}

extension AccessRecord: FetchableRecord, TableRecord {
    public static let databaseTableName = "access"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

    public enum Columns {
        public static let commune = Column("commune")
        public static let category = Column("category")
    }
}

/// Read from the view `candidate_status`: the kept candidate and whether a café source covers it.
extension CandidateRecord: FetchableRecord, TableRecord {
    public static let databaseTableName = "candidate_status"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

    public enum Columns {
        public static let commune = Column("commune")
        public static let rank = Column("rank")
        public static let listed = Column("listed")
    }
}

extension CandidateRecord {
    /// Reads the columns of ``Store/candidateColumns(breakdowns:)``, in their order from `offset`,
    /// by position: decoding through `Codable` converted each column's name from snake case for
    /// every row, a third of a whole-France map's time. Equal to `init(row:)` (tested).
    init(candidateColumns row: Row, from offset: Int) throws {
        let breakdown: String = row[offset + 3]
        self.init(
            commune: row[offset], score: row[offset + 1], rank: row[offset + 2],
            breakdown: breakdown == "[]" ? [] : try JSONDecoder().decode([ScoreTerm].self, from: Data(breakdown.utf8)),
            status: row[offset + 4], note: row[offset + 5], firstSeen: row[offset + 6], lastSeen: row[offset + 7],
            listed: row[offset + 8], cafeKnown: row[offset + 9])
    }
}

extension CategoryRule: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "category_code"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}
