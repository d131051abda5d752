// The words Foundation's `localizedDescription` used for file errors ("The operation could not
// be completed. The file doesn’t exist."), so messages that quote them stay the same without
// Foundation, which alone has `localizedDescription`. swift-system's `Errno` names the errno;
// its own text is strerror's ("No such file or directory"), not these words, so the table stays.

import FoundationEssentials
import SystemPackage

public enum FileErrorText {
    /// What `error.localizedDescription` said for an error of FileManager or Data.
    public static func describe(_ error: any Error) -> String {
        guard let cocoa = error as? CocoaError else { return String(describing: error) }
        return describe(cocoaCode: cocoa.code.rawValue)
    }

    /// The description of a failed read of a file, by errno (as Foundation classified it).
    static func describe(readingErrno code: Int32) -> String {
        switch Errno(rawValue: code) {
        case .fileTooLarge: return describe(cocoaCode: 263)
        case .noSuchFileOrDirectory: return describe(cocoaCode: 260)
        case .notPermitted, .permissionDenied: return describe(cocoaCode: 257)
        default: return describe(cocoaCode: 256)
        }
    }

    static func describe(cocoaCode code: Int) -> String {
        "The operation could not be completed. " + (reasons[code] ?? "(NSCocoaErrorDomain error \(code).)")
    }

    private static let reasons: [Int: String] = [
        4: "The file doesn’t exist.",
        255: "The file couldn’t be locked.",
        257: "You don’t have permission.",
        258: "The file name is invalid.",
        259: "The file isn’t in the correct format.",
        260: "The file doesn’t exist.",
        261: "The specified text encoding isn’t applicable.",
        262: "The specified URL type isn’t supported.",
        263: "The item is too large.",
        264: "The text encoding of the contents couldn’t be determined.",
        513: "You don’t have permission.",
        514: "The file name is invalid.",
        516: "A file with the same name already exists.",
        517: "The specified text encoding isn’t applicable.",
        518: "The specified URL type isn’t supported.",
        640: "There isn’t enough space.",
        642: "The volume is read only."
    ]
}
