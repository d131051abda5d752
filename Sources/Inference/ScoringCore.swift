// The Python scoring core shipped in bundles (Resources/score.py and validate.py, compiled
// into the binary by SwiftPM's `.embedInCode`), so the bundle writer can copy it and
// `mlenv validate BUNDLE --run` can start it.

public enum ScoringCore {
    /// File names of the scoring core, in the order a bundle's `inference/` lists them.
    public static let files = ["score.py", "validate.py"]

    /// The bytes of one scoring-core file shipped with mlenv.
    public static func contents(of name: String) -> [UInt8]? {
        switch name {
        case "score.py": PackageResources.score_py
        case "validate.py": PackageResources.validate_py
        default: nil
        }
    }
}
