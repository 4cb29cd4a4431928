package org.nasbert.spark;

import com.esotericsoftware.kryo.Kryo;
import org.apache.spark.serializer.KryoRegistrator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Registers every module's {@link KryoClasses} with Kryo, sorted by name: Kryo numbers classes in
 * registration order, so the driver and every executor must register in the same order whatever
 * their classpath order.
 */
public final class NasbertKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        for (Class<?> type : allClasses()) {
            kryo.register(type);
        }
    }

    static List<Class<?>> allClasses() {
        List<Class<?>> all = new ArrayList<>();
        for (KryoClasses provider : ServiceLoader.load(KryoClasses.class, NasbertKryoRegistrator.class.getClassLoader())) {
            for (Class<?> type : provider.classes()) {
                if (!all.contains(type)) {
                    all.add(type);
                }
            }
        }
        all.sort(Comparator.comparing(Class::getName));
        return all;
    }
}
