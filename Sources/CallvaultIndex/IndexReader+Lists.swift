import GRDB

extension IndexReader {
    /// The list lengths an `IN (…)` statement is prepared for: a shorter list is padded with
    /// NULLs (which match nothing) to the next of them, so that each statement is prepared once
    /// per connection and reused instead of being parsed again for every list.
    static let listLengths = [1, 8, 64, 500]

    /// The rows of `sql(marks)` for all `values`, where `marks` is the `?,?,…` to put inside
    /// `IN (…)`; read in chunks of at most 500 values (an `ORDER BY` orders within a chunk).
    func fetchRows(_ values: [some DatabaseValueConvertible], _ sql: (String) -> String) throws -> [Row] {
        var rows: [Row] = []
        var start = 0
        while start < values.count {
            let chunk = values[start..<min(values.count, start + Self.listLengths.last!)]
            let length = Self.listLengths.first { $0 >= chunk.count }!
            let marks = Array(repeating: "?", count: length).joined(separator: ",")
            let arguments = chunk.map(\.databaseValue) + Array(repeating: DatabaseValue.null, count: length - chunk.count)
            rows += try Row.fetchAll(db.cachedStatement(sql: sql(marks)), arguments: StatementArguments(arguments))
            start += chunk.count
        }
        return rows
    }
}

/// The positions of the columns of one result set of `items` rows, looked up once: GRDB's
/// lookup by name compares the lowercased name of every column on each access.
struct ItemColumns {
    private let positions: [String: Int]

    init(_ row: Row) {
        positions = Dictionary(row.columnNames.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
    }

    /// The position of column `name` (to read it as `row[position]`).
    subscript(name: String) -> Int {
        positions[name]!
    }
}
