import Formats
import Territory

/// INSEE COG commune list (`v_commune_YYYY.csv`): every type kept (COM, COMD, COMA, ARM) with its parent.
public struct CogCommunesAdapter: SourceAdapter {
    public init() {}

    public func read(_ input: ByteReaderInput, spec: SourceSpec, into sink: RecordSink) throws -> Int {
        let csv = try input.csv()
        let h = csv.header
        let type = try h.require("TYPECOM")
        let code = try h.require(spec.names("code", default: ["COM", "CODGEO"]))
        let name = try h.require(spec.names("name", default: ["LIBELLE", "NCCENR", "NCC"]))
        let dep = h.column("DEP")
        let reg = h.column("REG")
        let parent = h.column("COMPARENT")
        return try csv.forEachRow(input: input, sink: sink) {
            guard let t = csv.value(type).flatMap(CommuneType.init(cog:)) else {
                return try sink.reject(line: csv.line, reason: "unknown TYPECOM \(csv.string(type) ?? "")")
            }
            guard let c = csv.value(code).flatMap(CommuneCode.init(_:)) else {
                return try sink.reject(line: csv.line, reason: "invalid commune code \(csv.string(code) ?? "")")
            }
            guard let n = csv.value(name) else { return try sink.reject(line: csv.line, reason: "empty name for \(c)") }
            try sink.emit(
                .commune(
                    CommuneRow(
                        type: t, code: c, name: n, dep: csv.value(dep), reg: csv.value(reg),
                        parent: csv.value(parent).flatMap(CommuneCode.init(_:)))), line: csv.line)
        }
    }
}
