// What `mlenv mirror` says on standard error when a side of the mirror is written: one summary
// line, and a line naming what the upstream does not have. Warnings are the caller's to print.

extension CondaMirrorReport {
    /// `directory`: where the subset was written (`OUTPUT/CHANNEL`).
    public func lines(writtenTo directory: String) -> [String] {
        var line = "mirror: conda: \(names) package name(s), \(records) record(s) written to \(directory)"
        if extended { line += "; merged into the existing subset, which now holds \(mirrorRecords) record(s)" }
        if updated > 0 { line += "; \(updated) record(s) updated from the upstream (same file, newer metadata)" }
        var result = [line]
        if !missing.isEmpty {
            result.append("mirror: conda: not in the upstream channel: \(missing.joined(separator: ", "))")
        }
        return result
    }
}

extension PyPIMirrorReport {
    public var lines: [String] {
        var line =
            "mirror: pypi: \(projects) project(s), \(files) file(s); metadata \(metadataFetched) fetched, \(metadataFromWheels) read from wheels, \(metadataReused) reused"
        if extended {
            line +=
                "; merged into the existing mirror, which now holds \(mirrorProjects) project(s), \(mirrorFiles) file(s)"
        }
        var result = [line]
        if !missing.isEmpty {
            result.append("mirror: pypi: not on the upstream index: \(missing.joined(separator: ", "))")
        }
        return result
    }
}
