import GRDB

extension Schema {
    /// Item ids are never handed out twice. SQLite gives a new row the largest id in use plus
    /// one, so once the newest items were expired or erased, the next ingest reused their ids:
    /// an audit entry, an erasure report or an export naming `call-3` then named a different
    /// call. `item_id_floor` keeps the largest id ever deleted (a trigger on every deletion
    /// path), and the inserts take an id above both it and the largest in use (`nextItemID`).
    ///
    /// An archive upgraded to this migration starts its floor at its largest id today: an id
    /// reused before the upgrade cannot be told apart afterwards.
    static func v17ItemIDFloor(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE item_id_floor (id INTEGER NOT NULL);
            INSERT INTO item_id_floor (id) SELECT coalesce(max(id), 0) FROM items;
            CREATE TRIGGER items_id_floor AFTER DELETE ON items WHEN OLD.id > (SELECT id FROM item_id_floor) BEGIN
                UPDATE item_id_floor SET id = OLD.id;
            END;
            """)
    }

    /// The SQL expression of the id a new item takes: above every id in use and every id deleted.
    static let nextItemID = "(max((SELECT coalesce(max(id), 0) FROM items), (SELECT id FROM item_id_floor)) + 1)"
}
