// The Python scoring core shipped in bundles (Resources/score.py, embedded in the binary by
// scripts/embed-resources), so the bundle writer can copy it and `mlenv validate BUNDLE --run`
// can start it.

public enum ScoringCore {
    /// File names of the scoring core, in the order a bundle's `inference/` lists them.
    public static let files = ["score.py", "validate.py"]

    /// The bytes of one scoring-core file shipped with mlenv.
    public static func contents(of name: String) -> [UInt8]? {
        guard files.contains(name), let text = EmbeddedScoringCore.files["Resources/" + name] else { return nil }
        return Array(text.utf8)
    }
}
