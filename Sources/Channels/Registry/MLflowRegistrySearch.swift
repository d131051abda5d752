// Every registered model of a tracking server, for `mlenv lint models:/`: the latest versions
// MLflow lists with each registered model (one per stage: None, Staging, Production,
// Archived), read page by page from
//   GET /api/2.0/mlflow/registered-models/search?max_results=N&page_token=T
//   → {"registered_models": [{"name", "latest_versions": [{"version", ...}]}], "next_page_token"}
// The server's answers are untrusted: pages, models per page and versions per model are
// bounded, names must make a model URI that parses back to the same model, versions are numbers.

import Basics
import JSON

extension MLflowModelURI {
    /// Whether a model argument names the whole registry (`models:/`, `models:`), not one model.
    public static func isRegistry(_ text: String) -> Bool {
        guard text.hasPrefix("models:") else { return false }
        return text.dropFirst("models:".count).allSatisfy { $0 == "/" }
    }
}

extension MLflowRegistry {
    /// Bounds on the registry listing: pages of `pageSize` (MLflow allows up to 1,000), at most
    /// `maxPages` of them (a million models at the defaults).
    public struct SearchLimits: Sendable {
        public var pageSize: Int
        public var maxPages: Int
        public var maxVersionsPerModel: Int

        public init(pageSize: Int = 1000, maxPages: Int = 1000, maxVersionsPerModel: Int = 16) {
            self.pageSize = max(1, min(pageSize, 1000))
            self.maxPages = max(1, maxPages)
            self.maxVersionsPerModel = max(1, maxVersionsPerModel)
        }
    }

    /// `models:/NAME/VERSION` for the latest versions of every registered model, sorted by name
    /// then version, each once. A model without versions has none.
    public func latestVersions(limits: SearchLimits = SearchLimits()) throws(ChannelError) -> [MLflowModelURI] {
        let endpoint = "/api/2.0/mlflow/registered-models/search"
        let context = "models:/"
        var found: [String: Set<Int>] = [:]
        var token: String?
        var pages = 0
        repeat {
            pages += 1
            if pages > limits.maxPages {
                throw ChannelError(
                    "\(context): the tracking server at \(URLText.redacted(trackingURI)) listed more than \(limits.maxPages) pages of "
                        + "\(limits.pageSize) registered models; lint them in parts (models:/NAME/VERSION)")
            }
            var query = "max_results=\(limits.pageSize)"
            if let token { query += "&page_token=" + PercentEncoding.encoded(token) }
            let page = try searchPage(endpoint + "?" + query, context: context)
            let models = try Self.boundedList(
                page["registered_models"], atMost: limits.pageSize,
                notAList: "\(context): the tracking server's answer to \(endpoint) has no list of registered models",
                tooLong: {
                    "\(context): the tracking server answered \($0) registered models to a page of \(limits.pageSize)"
                })
            for model in models {
                guard case .object(let object) = model, case .string(let name)? = object["name"] else {
                    throw ChannelError("\(context): the tracking server listed a registered model without a name")
                }
                let versions = try Self.boundedList(
                    object["latest_versions"], atMost: limits.maxVersionsPerModel,
                    notAList:
                        "\(context): the tracking server's latest_versions of '\(Self.printable(name))' is not a list",
                    tooLong: {
                        "\(context): the tracking server listed \($0) latest versions of '\(Self.printable(name))'"
                    })
                for version in versions {
                    guard case .object(let v) = version, case .string(let text)? = v["version"] else {
                        throw ChannelError(
                            "\(context): the tracking server listed a latest version of '\(Self.printable(name))' without a version number"
                        )
                    }
                    let uri = "models:/\(name)/\(text)"
                    // The URI must say this model and no other (a name with a slash or a control
                    // character, a version that is not a number, are refused).
                    guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
                        case .version(let parsedName, let parsedVersion)? = try? MLflowModelURI(parsing: uri),
                        parsedName == name, parsedVersion == text, text.count <= 18, let number = Int(text)
                    else {
                        throw ChannelError(
                            "\(context): the tracking server listed '\(Self.printable(name))' version '\(Self.printable(text))', "
                                + "which is not a registered model version mlenv can name (models:/NAME/VERSION)")
                    }
                    found[name, default: []].insert(number)
                }
            }
            token = nil
            if case .string(let next)? = page["next_page_token"], !next.isEmpty {
                guard next.utf8.count <= 4096 else {
                    throw ChannelError("\(context): the tracking server's page token is longer than 4096 bytes")
                }
                token = next
            }
        } while token != nil
        return found.keys.sorted().flatMap { name in
            found[name, default: []].sorted().map { MLflowModelURI.version(name: name, version: String($0)) }
        }
    }

    private func searchPage(_ pathAndQuery: String, context: String) throws(ChannelError) -> JSONObject {
        let response: HTTPResponse
        do throws(HTTPError) {
            response = try client.fetch(
                trackingURI + pathAndQuery, accept: "application/json", maxBytes: HTTPClient.pageLimit)
        } catch {
            throw ChannelError(
                "\(context): cannot reach the tracking server at \(URLText.redacted(trackingURI)): \(error.reason)")
        }
        if response.status == 401 || response.status == 403 {
            throw ChannelError(
                "\(context): HTTP \(response.status): the tracking server at \(URLText.redacted(trackingURI)) wants credentials "
                    + "(MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD) or refused the ones given"
            )
        }
        guard response.status == 200 else {
            throw ChannelError(
                "\(context): HTTP \(response.status) from the tracking server at \(URLText.redacted(trackingURI)) listing the registered models"
            )
        }
        guard case .object(let object)? = try? JSONValue.parse(response.body) else {
            throw ChannelError("\(context): the tracking server's list of registered models is not a JSON object")
        }
        return object
    }

    /// A list in the server's answer (absent: empty), refused when it is something else or
    /// longer than `limit`.
    private static func boundedList(
        _ value: JSONValue?, atMost limit: Int, notAList: @autoclosure () -> String,
        tooLong: (Int) -> String
    ) throws(ChannelError) -> [JSONValue] {
        guard case .array(let items) = value ?? .array([]) else { throw ChannelError(notAList()) }
        guard items.count <= limit else { throw ChannelError(tooLong(items.count)) }
        return items
    }

    private static func printable(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.prefix(200).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 }))
    }
}
