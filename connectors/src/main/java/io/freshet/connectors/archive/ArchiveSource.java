package io.freshet.connectors.archive;

import io.freshet.avro.Decoded;
import io.freshet.spec.SourceSpec;
import java.util.List;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;

/** The bounded file source of a source's archive: every file under its paths, in path order. */
public final class ArchiveSource {
  private ArchiveSource() {}

  public static FileSource<Decoded> of(SourceSpec source, List<String> fields) {
    Path[] paths = source.archive().paths().stream().map(Path::new).toArray(Path[]::new);
    return FileSource.forBulkFileFormat(new ArchiveFormat(source, fields), paths)
        .setSplitAssigner(InOrderSplitAssigner::new)
        .build();
  }
}
