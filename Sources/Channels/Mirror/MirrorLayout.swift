// The on-disk layout `mlenv mirror` writes for PyPI, a standard simple repository:
//
//   <mirror>/MIRROR.json                      how and when it was made (the stamp)
//   <mirror>/simple/index.html, index.json    project list (PEP 503 / PEP 691)
//   <mirror>/simple/<project>/index.json      PEP 691 project page (mlenv reads this one)
//   <mirror>/simple/<project>/index.html      PEP 503 view of the same page (for pip and uv)
//   <mirror>/files/<project>/<file>.metadata  PEP 658 metadata (the fields a resolver needs)
//   <mirror>/files/<project>/<file>           the file itself, with --with-artifacts
//
// File URLs in the pages are relative (`../../files/<project>/<file>`), so the mirror can be
// moved, served by any static web server, or read as a directory. No host name is stored.

import FoundationEssentials
import JSON
import Specs

enum MirrorLayout {
    static func projectPageJSON(_ project: NormalizedName, files: [MirroredFile]) -> String {
        var entries: [JSONValue] = []
        for file in files {
            var o = JSONObject()
            o.append("filename", .string(file.filename))
            o.append("url", .string(relativeFileURL(project, file.filename)))
            o.append("hashes", file.sha256.map { ["sha256": .string($0)] } ?? .object(JSONObject()))
            o.append("requires-python", .optional(file.requiresPython))
            o.append("yanked", file.yanked.map { $0.isEmpty ? .bool(true) : .string($0) } ?? .bool(false))
            o.append("core-metadata", file.metadataSHA256.map { ["sha256": .string($0)] } ?? .bool(false))
            if let size = file.size { o.append("size", .number(JSONNumber(text: String(size)))) }
            if let uploaded = file.uploadTime { o.append("upload-time", .string(uploaded)) }
            entries.append(.object(o))
        }
        let versions = Array(Set(files.compactMap { $0.versionText })).sorted {
            let a = try? PEP440Version(parsing: $0)
            let b = try? PEP440Version(parsing: $1)
            if let a, let b, a != b { return a < b }
            return $0 < $1
        }
        // One file per line: compact, and diffs of a refreshed mirror stay readable.
        var text =
            "{\"meta\":{\"api-version\":\"1.1\"},\"name\":" + JSONValue.string(project.value).serialized()
            + ",\"files\":[\n"
        text += entries.map { $0.serialized() }.joined(separator: ",\n")
        text += "\n],\"versions\":" + JSONValue.array(versions.map { .string($0) }).serialized() + "}\n"
        return text
    }

    static func projectPageHTML(_ project: NormalizedName, files: [MirroredFile]) -> String {
        var html =
            "<!DOCTYPE html>\n<html>\n<head><meta name=\"pypi:repository-version\" content=\"1.1\"><title>Links for \(project.value)</title></head>\n<body>\n<h1>Links for \(project.value)</h1>\n"
        for file in files {
            var href = relativeFileURL(project, file.filename)
            if let sha = file.sha256 { href += "#sha256=\(sha)" }
            var attributes = "href=\"\(HTMLAnchors.escape(href))\""
            if let rp = file.requiresPython { attributes += " data-requires-python=\"\(HTMLAnchors.escape(rp))\"" }
            if let yanked = file.yanked { attributes += " data-yanked=\"\(HTMLAnchors.escape(yanked))\"" }
            if let meta = file.metadataSHA256 {
                attributes += " data-core-metadata=\"sha256=\(meta)\" data-dist-info-metadata=\"sha256=\(meta)\""
            }
            html += "<a \(attributes)>\(HTMLAnchors.escape(file.filename))</a><br/>\n"
        }
        html += "</body>\n</html>\n"
        return html
    }

    static func rootHTML(_ projects: [NormalizedName]) -> String {
        var html =
            "<!DOCTYPE html>\n<html>\n<head><meta name=\"pypi:repository-version\" content=\"1.1\"><title>Simple index</title></head>\n<body>\n"
        for p in projects { html += "<a href=\"\(p.value)/\">\(p.value)</a><br/>\n" }
        return html + "</body>\n</html>\n"
    }

    static func rootJSON(_ projects: [NormalizedName]) -> String {
        let value: JSONValue = [
            "meta": ["api-version": "1.1"],
            "projects": .array(projects.map { ["name": .string($0.value)] })
        ]
        return value.serialized(pretty: true) + "\n"
    }

    static func relativeFileURL(_ project: NormalizedName, _ filename: String) -> String {
        "../../files/\(project.value)/\(percentEncode(filename))"
    }

    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~!$&'()*+,;=:@".contains(c)) {
                out.append(c)
            } else {
                out += "%" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}

/// One file as the mirror lists it.
struct MirroredFile: Hashable, Sendable {
    let filename: String
    let versionText: String?
    let sha256: String?
    let requiresPython: String?
    let yanked: String?
    let size: Int64?
    let uploadTime: String?
    /// sha256 of the metadata file the mirror wrote, nil when it has none.
    let metadataSHA256: String?
}
