package org.nasbert.jobs.students;

import org.nasbert.spark.KryoClasses;

import java.util.Arrays;
import java.util.List;

/** The distill and export stages' classes that Spark ships to tasks and broadcasts. */
public final class StudentsKryoClasses implements KryoClasses {
    @Override
    public List<Class<?>> classes() {
        return Arrays.asList(DistillRow.class, DistillStage.Job.class, ExportStage.Item.class);
    }
}
