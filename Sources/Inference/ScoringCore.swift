// The Python scoring core shipped in bundles (Resources/score.py): where it is, so the bundle
// writer can copy it and `mlenv validate BUNDLE --run` can start it.

import Foundation

public enum ScoringCore {
    /// File names of the scoring core, in the order a bundle's `inference/` lists them.
    public static let files = ["score.py", "validate.py"]

    /// The bytes of one scoring-core file shipped with mlenv.
    public static func contents(of name: String) -> [UInt8]? {
        guard files.contains(name), let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources")
            ?? Bundle.module.url(forResource: (name as NSString).deletingPathExtension, withExtension: (name as NSString).pathExtension)
        else { return nil }
        return (try? Data(contentsOf: url)).map { [UInt8]($0) }
    }
}
