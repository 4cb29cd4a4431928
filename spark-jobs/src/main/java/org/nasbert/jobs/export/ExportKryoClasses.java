package org.nasbert.jobs.export;

import org.nasbert.spark.KryoClasses;

import java.util.Collections;
import java.util.List;

/** The export stage's classes that Spark ships to tasks. */
public final class ExportKryoClasses implements KryoClasses {
    @Override
    public List<Class<?>> classes() {
        return Collections.singletonList(ExportStage.Item.class);
    }
}
