import Formats
import Territory

/// INSEE change table (`v_mvt_commune_YYYY.csv`): one row per (before, after) pair of an event.
public struct MouvementsAdapter: SourceAdapter {
    public init() {}

    public func read(_ input: ByteReaderInput, spec: SourceSpec, into sink: RecordSink) throws -> Int {
        let csv = try input.csv()
        let h = csv.header
        let mod = try h.require("MOD")
        let date = try h.require("DATE_EFF")
        let typeAv = try h.require("TYPECOM_AV")
        let codeAv = try h.require("COM_AV")
        let nameAv = h.column("LIBELLE_AV", "NCCENR_AV")
        let typeAp = try h.require("TYPECOM_AP")
        let codeAp = try h.require("COM_AP")
        let nameAp = h.column("LIBELLE_AP", "NCCENR_AP")
        return try csv.forEachRow(input: input, sink: sink) {
            guard let m = csv.integer(mod) else { return try sink.reject(line: csv.line, reason: "invalid MOD") }
            guard let d = csv.value(date), d.count == 10 else {
                return try sink.reject(line: csv.line, reason: "invalid DATE_EFF")
            }
            try sink.emit(
                .mouvement(
                    Mouvement(
                        mod: m, date: d, typeBefore: csv.value(typeAv) ?? "", codeBefore: csv.value(codeAv) ?? "",
                        nameBefore: csv.value(nameAv) ?? "", typeAfter: csv.value(typeAp) ?? "",
                        codeAfter: csv.value(codeAp) ?? "", nameAfter: csv.value(nameAp) ?? "")), line: csv.line)
        }
    }
}
