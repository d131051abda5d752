// Project pages of a simple repository: PEP 691 JSON and PEP 503 HTML.
// Traps: HTML attribute values are entity-escaped (`data-requires-python="&gt;=3.8"`); the
// hash rides in the URL fragment (`#sha256=...`); `data-yanked` present without a value means
// yanked with no reason; PEP 714 renamed `data-dist-info-metadata` to `data-core-metadata`
// (read both); JSON `yanked` is false, true or a reason string; URLs are relative to the page.

import JSON
import Specs

enum ProjectPage {
    static func parseJSON(_ bytes: [UInt8], project: NormalizedName, pageURL: String) throws(ChannelError)
        -> PyPIProject
    {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch {
            throw ChannelError(
                "\(pageURL): invalid JSON at line \(error.line), column \(error.column): \(error.message)")
        }
        guard let files = root["files"]?.arrayValue else {
            throw ChannelError("\(pageURL): a PEP 691 page needs a \"files\" list")
        }
        var result: [PyPIFile] = []
        for file in files {
            guard let filename = file["filename"]?.stringValue, let url = file["url"]?.stringValue else { continue }
            var yanked: String?
            switch file["yanked"] {
            case .bool(true)?: yanked = ""
            case .string(let reason)?: yanked = reason
            default: yanked = nil
            }
            var metadata: String?
            switch file["core-metadata"] ?? file["dist-info-metadata"] {
            case .bool(true)?: metadata = ""
            case .object(let hashes)?: metadata = hashes["sha256"]?.stringValue ?? ""
            default: metadata = nil
            }
            let (absolute, fragmentHash) = URLReference.resolve(url, against: pageURL)
            let sha256 = file["hashes"]?["sha256"]?.stringValue ?? fragmentHash
            guard PyPIFile.acceptable(filename: filename, url: absolute, sha256: sha256) else { continue }
            result.append(
                PyPIFile(
                    project: project, filename: filename, url: absolute,
                    sha256: sha256,
                    requiresPython: file["requires-python"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                    yanked: yanked, uploadTime: file["upload-time"]?.stringValue,
                    size: file["size"]?.numberValue?.int, coreMetadata: metadata))
        }
        return PyPIProject(name: project, files: result)
    }

    static func parseHTML(_ text: String, project: NormalizedName, pageURL: String) -> PyPIProject {
        var files: [PyPIFile] = []
        for anchor in HTMLAnchors.parse(text) {
            guard let href = anchor.attributes["href"] else { continue }
            let (absolute, fragmentHash) = URLReference.resolve(href, against: pageURL)
            var filename = anchor.text.trimmingSpaces()
            if filename.isEmpty {
                filename = String(absolute.split(separator: "/").last ?? "")
            }
            let metadataAttribute =
                anchor.attributes["data-core-metadata"] ?? anchor.attributes["data-dist-info-metadata"]
            var metadata: String?
            if let value = metadataAttribute {
                if value == "true" || value.isEmpty {
                    metadata = ""
                } else if value.hasPrefix("sha256=") {
                    metadata = String(value.dropFirst("sha256=".count))
                } else {
                    metadata = ""
                }
            }
            guard PyPIFile.acceptable(filename: filename, url: absolute, sha256: fragmentHash) else { continue }
            files.append(
                PyPIFile(
                    project: project, filename: filename, url: absolute, sha256: fragmentHash,
                    requiresPython: anchor.attributes["data-requires-python"].flatMap { $0.isEmpty ? nil : $0 },
                    yanked: anchor.attributes["data-yanked"], uploadTime: nil, size: nil, coreMetadata: metadata))
        }
        return PyPIProject(name: project, files: files)
    }
}

/// Relative URL resolution for index pages (RFC 3986 §5.2, for the forms indexes use).
enum URLReference {
    /// Resolves `reference` against `base` (a URL or a local path of the page's directory with a
    /// trailing slash) and splits off a `#sha256=` fragment.
    static func resolve(_ reference: String, against base: String) -> (String, String?) {
        var ref = Substring(reference)
        var hash: String?
        if let hashIndex = ref.utf8.firstIndex(of: UInt8(ascii: "#")) {
            let fragment = ref[ref.index(after: hashIndex)...]
            if fragment.hasPrefix("sha256=") { hash = String(fragment.dropFirst("sha256=".count)) }
            ref = ref[..<hashIndex]
        }
        if hasScheme(ref) { return (String(ref), hash) }
        // Fast path for the layout `mlenv mirror` writes: `../../files/...` from a local page.
        if ref.hasPrefix("../../"), !hasScheme(Substring(base)), base.hasSuffix("/"), !hasDotDot(ref.dropFirst(6)) {
            var directory = Substring(base.dropLast())
            for _ in 0..<2 {
                guard let slash = directory.utf8.lastIndex(of: UInt8(ascii: "/")) else { break }
                directory = directory[..<slash]
            }
            return (directory + "/" + ref.dropFirst(6), hash)
        }
        return resolveGeneral(String(ref), against: base, hash: hash)
    }

    private static func hasDotDot(_ text: Substring) -> Bool {
        var previousDot = false
        for b in text.utf8 {
            if b == UInt8(ascii: "."), previousDot { return true }
            previousDot = b == UInt8(ascii: ".")
        }
        return false
    }

    /// `scheme://` at the start.
    private static func hasScheme(_ text: Substring) -> Bool {
        var sawLetter = false
        var iterator = text.utf8.makeIterator()
        while let b = iterator.next() {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): sawLetter = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
                if !sawLetter { return false }
            case UInt8(ascii: ":"):
                return sawLetter && iterator.next() == UInt8(ascii: "/") && iterator.next() == UInt8(ascii: "/")
            default: return false
            }
        }
        return false
    }

    private static func resolveGeneral(_ ref: String, against base: String, hash: String?) -> (String, String?) {
        let (scheme, authority, basePath) = split(base)
        var path: String
        if ref.hasPrefix("/") {
            path = ref
        } else {
            let directory =
                basePath.hasSuffix("/")
                ? basePath : String(basePath[...(basePath.lastIndex(of: "/") ?? basePath.startIndex)])
            path = directory + ref
        }
        path = removeDotSegments(path)
        return (scheme.map { "\($0)://\(authority)\(path)" } ?? path, hash)
    }

    private static func split(_ url: String) -> (String?, String, String) {
        guard let range = url.literalRange(of: "://") else { return (nil, "", url) }
        let scheme = String(url[..<range.lowerBound])
        let rest = url[range.upperBound...]
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        return (scheme, String(rest[..<slash]), String(rest[slash...]).isEmpty ? "/" : String(rest[slash...]))
    }

    static func removeDotSegments(_ path: String) -> String {
        var output: [Substring] = []
        let absolute = path.hasPrefix("/")
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (i, segment) in segments.enumerated() {
            if segment == "." { continue }
            if segment == ".." {
                if output.count > (absolute ? 1 : 0) { output.removeLast() }
                continue
            }
            if segment.isEmpty && i != 0 && i != segments.count - 1 { continue }
            output.append(segment)
        }
        return output.joined(separator: "/")
    }
}

/// Just enough HTML to read `<a ...>text</a>` anchors from index pages.
enum HTMLAnchors {
    struct Anchor {
        var attributes: [String: String]
        var text: String
    }

    static func parse(_ html: String) -> [Anchor] {
        var anchors: [Anchor] = []
        let chars = Array(html.unicodeScalars)
        var i = 0
        func lower(_ c: Unicode.Scalar) -> Unicode.Scalar {
            (c >= "A" && c <= "Z") ? Unicode.Scalar(c.value + 32)! : c
        }
        while i < chars.count {
            guard chars[i] == "<", i + 2 < chars.count, lower(chars[i + 1]) == "a",
                chars[i + 2] == " " || chars[i + 2] == "\t" || chars[i + 2] == "\n" || chars[i + 2] == "\r"
            else {
                i += 1
                continue
            }
            i += 2
            var attributes: [String: String] = [:]
            // Attributes until '>'.
            while i < chars.count && chars[i] != ">" {
                while i < chars.count,
                    chars[i] == " " || chars[i] == "\t" || chars[i] == "\n" || chars[i] == "\r" || chars[i] == "/"
                { i += 1 }
                var name = ""
                while i < chars.count, chars[i] != "=", chars[i] != ">", chars[i] != " ", chars[i] != "\t",
                    chars[i] != "\n", chars[i] != "\r"
                {
                    name.unicodeScalars.append(lower(chars[i]))
                    i += 1
                }
                var value = ""
                if i < chars.count && chars[i] == "=" {
                    i += 1
                    if i < chars.count, chars[i] == "\"" || chars[i] == "'" {
                        let quote = chars[i]
                        i += 1
                        while i < chars.count && chars[i] != quote {
                            value.unicodeScalars.append(chars[i])
                            i += 1
                        }
                        i += 1
                    } else {
                        while i < chars.count, chars[i] != ">", chars[i] != " ", chars[i] != "\t", chars[i] != "\n" {
                            value.unicodeScalars.append(chars[i])
                            i += 1
                        }
                    }
                }
                if !name.isEmpty { attributes[name] = unescape(value) }
            }
            i += 1
            var text = ""
            while i < chars.count {
                if chars[i] == "<", i + 3 < chars.count, chars[i + 1] == "/", lower(chars[i + 2]) == "a",
                    chars[i + 3] == ">"
                {
                    i += 4
                    break
                }
                text.unicodeScalars.append(chars[i])
                i += 1
            }
            anchors.append(Anchor(attributes: attributes, text: unescape(text)))
        }
        return anchors
    }

    static func unescape(_ text: String) -> String {
        guard text.containsLiteral("&") else { return text }
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "&", let semi = text[i...].firstIndex(of: ";"), text.distance(from: i, to: semi) <= 10 {
                let entity = text[text.index(after: i)..<semi]
                var replacement: String?
                switch entity {
                case "lt": replacement = "<"
                case "gt": replacement = ">"
                case "amp": replacement = "&"
                case "quot": replacement = "\""
                case "apos": replacement = "'"
                default:
                    if entity.hasPrefix("#x") || entity.hasPrefix("#X"), let v = UInt32(entity.dropFirst(2), radix: 16),
                        let s = Unicode.Scalar(v)
                    {
                        replacement = String(Character(s))
                    } else if entity.hasPrefix("#"), let v = UInt32(entity.dropFirst()), let s = Unicode.Scalar(v) {
                        replacement = String(Character(s))
                    }
                }
                if let replacement {
                    out += replacement
                    i = text.index(after: semi)
                    continue
                }
            }
            out.append(c)
            i = text.index(after: i)
        }
        return out
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
