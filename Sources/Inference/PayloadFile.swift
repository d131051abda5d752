// The payload files `mlenv validate --payload` names: directories expanded, each file read into
// one buffer of exactly its size (a 200 MB body costs 200 MB, not twice that).

import FoundationEssentials
import Glibc

public enum PayloadFile {
    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// A directory stands for the `.json` and `.csv` files directly inside it, in name order.
    public static func expand(_ paths: [String]) throws -> [String] {
        var result: [String] = []
        for path in paths {
            var isDirectory = false
            if path != "-", FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory {
                let names = try FileManager.default.contentsOfDirectory(atPath: path)
                    .filter { $0.lowercased().hasSuffix(".json") || $0.lowercased().hasSuffix(".csv") }
                    .sorted()
                if names.isEmpty {
                    throw ReadError(description: "payload directory '\(path)' holds no .json or .csv files")
                }
                result += names.map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 }
            } else {
                result.append(path)
            }
        }
        return result
    }

    /// The content type a payload is read as: `explicit`, else CSV for a `*.csv` file, else JSON.
    public static func contentType(of path: String, explicit: String?) -> String {
        explicit ?? (path.lowercased().hasSuffix(".csv") ? "text/csv" : "application/json")
    }

    /// The bytes of `path`; `-` is standard input, read by `standardInput`.
    public static func read(_ path: String, standardInput: () -> [UInt8]) throws(ReadError) -> [UInt8] {
        if path == "-" {
            return standardInput()
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw ReadError(description: "cannot read payload '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ReadError(description: "cannot read payload '\(path)': \(String(cString: strerror(errno)))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw ReadError(description: "payload '\(path)' is a directory, expected a file")
        }
        let size = Int(info.st_size)
        var failure: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var done = 0
            while done < size {
                let n = Glibc.read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    break
                }
                if n == 0 { break }
                done += n
            }
            count = done
        }
        if let failure { throw ReadError(description: "cannot read payload '\(path)': \(failure)") }
        return bytes
    }
}
