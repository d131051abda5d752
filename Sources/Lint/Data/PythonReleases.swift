// When each CPython minor release stops getting security fixes. Source: the Python developer
// guide's release table (devguide.python.org/versions, data in python/devguide
// include/release-cycle.json) and each release's PEP. The guide gives only a month for
// releases still supported; such a date counts as the last day of that month.

enum PythonReleases {
    struct EndOfLife {
        let minor: String
        /// YYYY-MM-DD.
        let date: String
        let pep: Int
    }

    static let endOfLife: [EndOfLife] = [
        EndOfLife(minor: "2.7", date: "2020-01-01", pep: 373),
        EndOfLife(minor: "3.4", date: "2019-03-18", pep: 429),
        EndOfLife(minor: "3.5", date: "2020-09-30", pep: 478),
        EndOfLife(minor: "3.6", date: "2021-12-23", pep: 494),
        EndOfLife(minor: "3.7", date: "2023-06-27", pep: 537),
        EndOfLife(minor: "3.8", date: "2024-10-07", pep: 569),
        EndOfLife(minor: "3.9", date: "2025-10-31", pep: 596),
        EndOfLife(minor: "3.10", date: "2026-10-31", pep: 619),
        EndOfLife(minor: "3.11", date: "2027-10-31", pep: 664),
        EndOfLife(minor: "3.12", date: "2028-10-31", pep: 693),
        EndOfLife(minor: "3.13", date: "2029-10-31", pep: 719),
        EndOfLife(minor: "3.14", date: "2030-10-31", pep: 745)
    ]

    static func endOfLife(_ minor: String) -> EndOfLife? { endOfLife.first { $0.minor == minor } }
}
