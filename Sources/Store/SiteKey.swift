import Formats

/// The key a site is found by from its source's identity (`ext_id`): the low 32 bits of the
/// FNV-1a hash of the identity, signed. It is stored (`ext_hash`, indexed in every site table)
/// and looked up together with the identity itself: changing it takes a migration that computes
/// it again for the stored sites, as v16 did.
///
/// Identities come in no order (a SIRET, a fingerprint): an index on them had a page in most of
/// its leaves written again at every batch of a load. SQLite stores this key in 4 bytes, an
/// index entry in about 13 bytes instead of about 28: half the pages (national BPE reload,
/// alternated: 5.2–5.6 s → 4.4–5.1 s with the key on 64 bits; 3.8–4.2 s without any index).
/// Two identities share a key once in four billion pairs: a national table of 538,804 sites
/// holds a few dozen such pairs, told apart by the identity.
enum SiteKey {
    static func of(_ externalID: String) -> Int64 {
        Int64(Int32(truncatingIfNeeded: FNV1a.hash([externalID])))
    }
}
