// Specs' text and path helpers, which replace Foundation's NSString API, give Foundation's
// answers. Foundation is the oracle (test binaries may load it; mlenv does not). The tests live
// here, not in SpecsTests: importing Foundation there would change what `contains` means in
// every other SpecsTests file.

import Foundation
import Specs
import Testing

@Suite struct LiteralTextTests {
    /// Short texts built from separators, line breaks, Unicode spaces and characters that
    /// combine with their neighbours.
    static let corpus: [String] = {
        let atoms = [
            "a", "b", "/", ":", "::", "://", "#egg=", "%", "\r", "\n", "\r\n", " ", "\t", "\u{A0}", "\u{2029}",
            "\u{85}", "\u{B}", "é", "e\u{301}", "\u{301}", "\u{200D}", "\u{903}", "😀", ".", ";", "; ", "\u{3000}",
            "\u{200B}"
        ]
        var texts = [""]
        for a in atoms {
            texts.append(a)
            for b in atoms {
                texts.append(a + b)
                for c in ["a", "/", "\n", " ", "::"] { texts += [a + b + c, c + a + b] }
            }
        }
        return texts
    }()
    static let needles = ["/", "::", "://", "#egg=", "%", "\r", "\n", " ", ";", "; ", " requires ", "a", "ab", ""]

    static func offsets(_ text: String, _ range: Range<String.Index>?) -> [Int]? {
        range.map {
            [
                text.utf8.distance(from: text.startIndex, to: $0.lowerBound),
                text.utf8.distance(from: text.startIndex, to: $0.upperBound)
            ]
        }
    }

    @Test func searchesAndReplacesAsFoundationDid() {
        for text in Self.corpus {
            for needle in Self.needles {
                let message: Comment = "\(text.debugDescription) / \(needle.debugDescription)"
                #expect(
                    Self.offsets(text, text.literalRange(of: needle)) == Self.offsets(text, text.range(of: needle)),
                    message)
                #expect(
                    Self.offsets(text, text.lastLiteralRange(of: needle))
                        == Self.offsets(text, text.range(of: needle, options: .backwards)), message)
                #expect(text.containsLiteral(needle) == text.contains(needle), message)
                #expect(
                    text.replacingLiteral(needle, with: "<X>") == text.replacingOccurrences(of: needle, with: "<X>"),
                    message)
            }
        }
    }

    @Test func trimsAsFoundationDid() {
        for text in Self.corpus {
            #expect(
                text.trimmingHorizontalWhitespace() == text.trimmingCharacters(in: .whitespaces),
                "\(text.debugDescription)")
            #expect(
                text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines),
                "\(text.debugDescription)")
            #expect(
                text.dropFirst(0).trimmingHorizontalWhitespace()
                    == text.dropFirst(0).trimmingCharacters(in: .whitespaces))
        }
        for value in Array(0...0x3100) + [0xFEFF, 0x1_F600] {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "x" + String(scalar)
            #expect(
                text.trimmingHorizontalWhitespace() == text.trimmingCharacters(in: .whitespaces),
                "U+\(String(value, radix: 16))")
            #expect(
                text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines),
                "U+\(String(value, radix: 16))")
        }
    }

    @Test func deletesTheLastPathComponentAsFoundationDid() {
        let parts = ["", "/", "a", "ab", ".", "..", "é", "x.tar.gz"]
        var paths = ["//", "ab//cd", "/ab//cd", "//ab", "/ab/cd//", "x//y.tar.gz"]
        for a in parts { for b in parts { for c in parts { paths += [a + b + c, a + "/" + b + "/" + c] } } }
        for path in Set(paths).sorted() {
            // Foundation traps on a one-character last component and on some runs of slashes.
            let collapsed = path.split(separator: "/", omittingEmptySubsequences: true)
            if let last = collapsed.last, last.utf16.count == 1, collapsed.count == 1, !path.hasPrefix("/") { continue }
            if path.components(separatedBy: "//").count > 2
                || (path.contains("//") && path.unicodeScalars.contains { !$0.isASCII })
            {
                continue
            }
            #expect(
                PathText.deletingLastComponent(path) == (path as NSString).deletingLastPathComponent,
                "\(path.debugDescription)")
            for component in ["", "x"] {
                #expect(
                    PathText.appending(component, to: path) == (path as NSString).appendingPathComponent(component),
                    "\(path.debugDescription)")
            }
        }
        #expect(PathText.deletingLastComponent("a") == "")
        #expect(PathText.deletingLastComponent("a/") == "")
    }
}
