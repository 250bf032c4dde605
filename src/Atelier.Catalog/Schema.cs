namespace Atelier.Catalog;

/// <summary>
/// Schema migrations, kept in code and applied in order on open (<c>PRAGMA user_version</c> holds
/// the last one applied). Append new steps; never edit a released one.
/// </summary>
internal static class Schema
{
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE images(
          id INTEGER PRIMARY KEY,
          sha256 TEXT NOT NULL UNIQUE,
          size_bytes INTEGER NOT NULL,
          format TEXT NOT NULL,
          width INTEGER NOT NULL,
          height INTEGER NOT NULL,
          orientation INTEGER NOT NULL DEFAULT 1,
          has_alpha INTEGER NOT NULL DEFAULT 0,
          has_icc INTEGER NOT NULL DEFAULT 0,
          bits INTEGER NOT NULL DEFAULT 8,
          frames INTEGER NOT NULL DEFAULT 1,
          pdq BLOB,
          pdq_quality INTEGER,
          blur REAL,
          mean_luma REAL,
          dark_fraction REAL,
          bright_fraction REAL,
          entropy REAL,
          thumb_sha256 TEXT,
          rating TEXT,
          excluded INTEGER NOT NULL DEFAULT 0,
          exclude_reason TEXT,
          captured_at TEXT,
          source TEXT NOT NULL,
          license TEXT,
          source_url TEXT,
          added_at TEXT NOT NULL);
        CREATE INDEX images_rating ON images(rating);
        CREATE INDEX images_source ON images(source);
        CREATE TABLE provenance(
          id INTEGER PRIMARY KEY,
          image_id INTEGER NOT NULL REFERENCES images(id),
          ingest_id INTEGER,
          origin TEXT NOT NULL,
          file_name TEXT,
          source TEXT NOT NULL,
          license TEXT,
          source_url TEXT,
          metadata TEXT,
          added_at TEXT NOT NULL,
          UNIQUE(image_id, origin));
        CREATE INDEX provenance_by_source ON provenance(source, image_id);
        CREATE TABLE tags(
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          category TEXT NOT NULL DEFAULT 'general');
        CREATE TABLE image_tags(
          image_id INTEGER NOT NULL,
          tag_id INTEGER NOT NULL,
          PRIMARY KEY(image_id, tag_id)) WITHOUT ROWID;
        CREATE INDEX image_tags_by_tag ON image_tags(tag_id, image_id);
        CREATE TABLE image_flags(
          image_id INTEGER NOT NULL,
          flag TEXT NOT NULL,
          detail TEXT,
          PRIMARY KEY(image_id, flag)) WITHOUT ROWID;
        CREATE INDEX image_flags_by_flag ON image_flags(flag, image_id);
        CREATE TABLE near_duplicates(
          image_id INTEGER NOT NULL,
          other_id INTEGER NOT NULL,
          distance INTEGER NOT NULL,
          PRIMARY KEY(image_id, other_id)) WITHOUT ROWID;
        CREATE TABLE ingests(
          id INTEGER PRIMARY KEY,
          started_at TEXT NOT NULL,
          finished_at TEXT,
          sources TEXT NOT NULL,
          status TEXT NOT NULL,
          summary TEXT);
        CREATE TABLE ingest_done(
          origin TEXT PRIMARY KEY,
          image_id INTEGER,
          outcome TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE rejections(
          id INTEGER PRIMARY KEY,
          ingest_id INTEGER,
          origin TEXT NOT NULL,
          source TEXT,
          code TEXT NOT NULL,
          message TEXT NOT NULL,
          at TEXT NOT NULL,
          UNIQUE(origin, code));
        CREATE INDEX rejections_by_code ON rejections(code);
        CREATE TABLE snapshots(
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          root_hash TEXT NOT NULL,
          manifest_sha256 TEXT NOT NULL,
          filter TEXT,
          image_count INTEGER NOT NULL,
          created_at TEXT NOT NULL);
        CREATE TABLE snapshot_images(
          snapshot_id INTEGER NOT NULL,
          image_id INTEGER NOT NULL,
          PRIMARY KEY(snapshot_id, image_id)) WITHOUT ROWID;
        CREATE INDEX snapshot_images_by_image ON snapshot_images(image_id);
        """,
        // 2: training runs and what they produced, the lineage governance builds on.
        """
        CREATE TABLE runs(
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
          snapshot_root TEXT NOT NULL,
          model TEXT NOT NULL,
          config TEXT NOT NULL,
          software TEXT NOT NULL,
          status TEXT NOT NULL,
          images_seen INTEGER NOT NULL DEFAULT 0,
          message TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL);
        CREATE INDEX runs_by_snapshot ON runs(snapshot_id);
        CREATE TABLE checkpoints(
          id INTEGER PRIMARY KEY,
          run_id INTEGER NOT NULL REFERENCES runs(id),
          images_seen INTEGER NOT NULL,
          sha256 TEXT NOT NULL,
          file_name TEXT NOT NULL,
          score REAL,
          deleted INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL,
          UNIQUE(run_id, images_seen));
        CREATE TABLE samples(
          id INTEGER PRIMARY KEY,
          run_id INTEGER NOT NULL REFERENCES runs(id),
          checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id),
          seed INTEGER NOT NULL,
          sample_index INTEGER NOT NULL,
          labels TEXT,
          sha256 TEXT NOT NULL,
          path TEXT NOT NULL,
          created_at TEXT NOT NULL);
        CREATE INDEX samples_by_checkpoint ON samples(checkpoint_id);
        """,
        // 3: governance. Personal data lives only as ciphertext (sealed columns); the audit table is append-only.
        """
        ALTER TABLE images ADD COLUMN md5 TEXT;
        ALTER TABLE images ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX images_md5 ON images(md5);
        CREATE INDEX images_quarantined ON images(id) WHERE quarantined = 1;
        CREATE TABLE users(
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          role TEXT NOT NULL,
          token_sha256 TEXT NOT NULL,
          owner INTEGER NOT NULL DEFAULT 0,
          disabled INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL);
        CREATE TABLE subjects(
          id INTEGER PRIMARY KEY,
          public_id TEXT NOT NULL UNIQUE,
          sealed BLOB NOT NULL,
          created_by TEXT NOT NULL,
          created_at TEXT NOT NULL);
        CREATE TABLE subject_images(
          subject_id INTEGER NOT NULL REFERENCES subjects(id),
          image_id INTEGER NOT NULL REFERENCES images(id),
          captured_at TEXT,
          linked_by TEXT NOT NULL,
          linked_at TEXT NOT NULL,
          PRIMARY KEY(subject_id, image_id)) WITHOUT ROWID;
        CREATE INDEX subject_images_by_image ON subject_images(image_id, subject_id);
        CREATE TABLE consents(
          id INTEGER PRIMARY KEY,
          subject_id INTEGER NOT NULL REFERENCES subjects(id),
          scopes TEXT NOT NULL,
          selector TEXT NOT NULL,
          expires_at TEXT,
          document_blob TEXT NOT NULL,
          document_sealed BLOB NOT NULL,
          status TEXT NOT NULL,
          granted_by TEXT NOT NULL,
          granted_at TEXT NOT NULL,
          revoked_by TEXT,
          revoked_at TEXT,
          revoke_reason TEXT);
        CREATE INDEX consents_by_subject ON consents(subject_id);
        CREATE TABLE consent_images(
          consent_id INTEGER NOT NULL REFERENCES consents(id),
          image_id INTEGER NOT NULL REFERENCES images(id),
          PRIMARY KEY(consent_id, image_id)) WITHOUT ROWID;
        CREATE INDEX consent_images_by_image ON consent_images(image_id, consent_id);
        CREATE TABLE blocklists(
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          version TEXT NOT NULL,
          kind TEXT NOT NULL,
          entries INTEGER NOT NULL,
          file_sha256 TEXT NOT NULL,
          signer TEXT,
          imported_by TEXT NOT NULL,
          imported_at TEXT NOT NULL,
          UNIQUE(name, version));
        CREATE TABLE blocklist_entries(
          list_id INTEGER NOT NULL REFERENCES blocklists(id),
          hash TEXT NOT NULL,
          PRIMARY KEY(list_id, hash)) WITHOUT ROWID;
        CREATE INDEX blocklist_entries_by_hash ON blocklist_entries(hash);
        CREATE TABLE quarantine(
          id INTEGER PRIMARY KEY,
          image_id INTEGER REFERENCES images(id),
          sha256 TEXT NOT NULL UNIQUE,
          md5 TEXT,
          pdq BLOB,
          pdq_quality INTEGER,
          origin TEXT,
          source TEXT,
          list_id INTEGER NOT NULL REFERENCES blocklists(id),
          distance INTEGER,
          sealed_blob TEXT NOT NULL,
          quarantined_by TEXT NOT NULL,
          quarantined_at TEXT NOT NULL);
        CREATE TABLE taints(
          id INTEGER PRIMARY KEY,
          kind TEXT NOT NULL,
          entity_id INTEGER NOT NULL,
          cause_kind TEXT NOT NULL,
          cause_ref TEXT NOT NULL,
          cause TEXT NOT NULL,
          at TEXT NOT NULL,
          UNIQUE(kind, entity_id, cause_kind, cause_ref));
        CREATE INDEX taints_by_entity ON taints(kind, entity_id);
        CREATE TABLE audit(
          seq INTEGER PRIMARY KEY,
          at TEXT NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          detail TEXT NOT NULL,
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL,
          key_id TEXT NOT NULL,
          mac TEXT NOT NULL);
        CREATE TABLE audit_refs(
          seq INTEGER NOT NULL,
          kind TEXT NOT NULL,
          ref TEXT NOT NULL,
          PRIMARY KEY(kind, ref, seq)) WITHOUT ROWID;
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """,
        // 4: files an ingest skipped because they are no image to ingest (a README, an unsupported format), by extension.
        """
        CREATE TABLE skipped_files(
          origin TEXT PRIMARY KEY,
          ingest_id INTEGER,
          source TEXT,
          extension TEXT NOT NULL,
          reason TEXT NOT NULL,
          message TEXT NOT NULL,
          at TEXT NOT NULL);
        CREATE INDEX skipped_files_by_extension ON skipped_files(extension, reason);
        """,
        // 5: which PDQ pipeline computed each hash (rows from before are 1: a DCT-scaled or orientation-applied decode,
        // re-hashed by curate), and the hash of the image as displayed where its EXIF orientation turns it (null: the same).
        """
        ALTER TABLE images ADD COLUMN pdq_displayed BLOB;
        ALTER TABLE images ADD COLUMN pdq_pipeline INTEGER NOT NULL DEFAULT 1;
        CREATE INDEX images_by_pdq_pipeline ON images(pdq_pipeline);
        """,
        // 6: energy and cost of each stage invocation (ingest, export, train, sample, eval); a run's total sums its rows.
        """
        CREATE TABLE energy(
          id INTEGER PRIMARY KEY,
          stage TEXT NOT NULL,
          run_id INTEGER REFERENCES runs(id),
          started_at TEXT NOT NULL,
          wall_seconds REAL NOT NULL,
          cpu_seconds REAL NOT NULL,
          cpu_joules REAL NOT NULL,
          cpu_method TEXT NOT NULL,
          cpu_note TEXT,
          gpu_joules REAL,
          gpus INTEGER NOT NULL DEFAULT 0,
          gpu_note TEXT,
          kwh REAL NOT NULL,
          money REAL NOT NULL,
          currency TEXT NOT NULL,
          co2_grams REAL NOT NULL,
          exit_code INTEGER NOT NULL);
        CREATE INDEX energy_by_run ON energy(run_id, stage);
        CREATE INDEX energy_by_stage ON energy(stage, started_at);
        """,
        // 7: the checkpoint a run's weights were initialised from (--init-from; null: fresh weights). Lineage and taints follow it.
        """
        ALTER TABLE runs ADD COLUMN init_checkpoint_id INTEGER REFERENCES checkpoints(id);
        CREATE INDEX runs_by_init_checkpoint ON runs(init_checkpoint_id) WHERE init_checkpoint_id IS NOT NULL;
        """,
        // 8: marked outputs. Each sample's watermark payload (16 hex digits, drawn by a CSPRNG before embedding; unique, so a
        // detected mark names one sample, its checkpoint, run and snapshot; null for samples made before marks) and its file
        // format; candidates the memorization check withheld (never written), with why and how close they came.
        """
        ALTER TABLE samples ADD COLUMN mark_payload TEXT;
        ALTER TABLE samples ADD COLUMN format TEXT NOT NULL DEFAULT 'png';
        CREATE UNIQUE INDEX samples_by_mark_payload ON samples(mark_payload) WHERE mark_payload IS NOT NULL;
        CREATE TABLE withheld_samples(
          id INTEGER PRIMARY KEY,
          run_id INTEGER NOT NULL REFERENCES runs(id),
          checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id),
          seed INTEGER NOT NULL,
          sample_index INTEGER NOT NULL,
          reason TEXT NOT NULL,
          pdq_distance INTEGER,
          pdq_image_id INTEGER REFERENCES images(id),
          feature_distance REAL,
          feature_image_id INTEGER REFERENCES images(id),
          pixel_distance REAL,
          pixel_image_id INTEGER REFERENCES images(id),
          created_at TEXT NOT NULL);
        CREATE INDEX withheld_samples_by_checkpoint ON withheld_samples(checkpoint_id);
        CREATE INDEX withheld_samples_by_run ON withheld_samples(run_id, id);
        """,
        // 9: the studio. A user's sign-in password (ASP.NET Core's PasswordHasher format, PBKDF2; null: no web sign-in) and each
        // image's rating version, raised by every rating change, so that a change made on a stale view can be refused.
        """
        ALTER TABLE users ADD COLUMN password_hash TEXT;
        ALTER TABLE images ADD COLUMN rating_version INTEGER NOT NULL DEFAULT 0;
        """,
        // 10: the studio's saved views: a user's named grid filters (selector text), private to that user.
        """
        CREATE TABLE saved_views(
          id INTEGER PRIMARY KEY,
          user_name TEXT NOT NULL,
          name TEXT NOT NULL,
          selector TEXT NOT NULL,
          created_at TEXT NOT NULL,
          UNIQUE(user_name, name));
        """,
        // 11: jobs: long work (training, sampling, verification, export) the studio hands to a worker process. The grant is a MAC
        // under the workspace key over what the job is and who asked, so the worker acts as that user and only for that work.
        """
        CREATE TABLE jobs(
          id INTEGER PRIMARY KEY,
          kind TEXT NOT NULL,
          args TEXT NOT NULL,
          user_name TEXT NOT NULL,
          run_name TEXT,
          created_at TEXT NOT NULL,
          grant_mac TEXT NOT NULL DEFAULT '',
          state TEXT NOT NULL,
          stop_requested INTEGER NOT NULL DEFAULT 0,
          worker TEXT,
          started_at TEXT,
          finished_at TEXT,
          exit_code INTEGER,
          message TEXT);
        CREATE INDEX jobs_run ON jobs(run_name);
        -- Each image's feature vector from one feature network (little-endian float32), for "more like this".
        CREATE TABLE image_features(
          image_id INTEGER NOT NULL REFERENCES images(id),
          network TEXT NOT NULL,
          vector BLOB NOT NULL,
          PRIMARY KEY(image_id, network));
        """,
        // 12: the process training a run (host, pid, start time), so that a run whose process was killed reads as failed, not "running".
        """
        ALTER TABLE runs ADD COLUMN worker TEXT;
        """,
    ];
}
