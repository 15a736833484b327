/// One row of INSEE's commune change table (`v_mvt_commune`): a (before, after) pair of an event.
public struct Mouvement: Sendable, Equatable {
    /// INSEE event codes used in translation (see the COG documentation).
    public enum Kind: Int, Sendable {
        case rename = 10
        case creation = 20
        case reestablishment = 21
        case suppression = 30
        case simpleMerger = 31
        case newCommune = 32
        case mergerAssociation = 33
        case associationToMerger = 34
        case delegateRemoval = 35
        case departementChange = 41
        case seatTransfer = 50
    }

    public let mod: Int
    /// `YYYY-MM-DD`.
    public let date: String
    public let typeBefore: String
    public let codeBefore: String
    public let nameBefore: String
    public let typeAfter: String
    public let codeAfter: String
    public let nameAfter: String

    public init(
        mod: Int, date: String, typeBefore: String, codeBefore: String, nameBefore: String,
        typeAfter: String, codeAfter: String, nameAfter: String
    ) {
        self.mod = mod
        self.date = date
        self.typeBefore = typeBefore
        self.codeBefore = codeBefore
        self.nameBefore = nameBefore
        self.typeAfter = typeAfter
        self.codeAfter = codeAfter
        self.nameAfter = nameAfter
    }
}
