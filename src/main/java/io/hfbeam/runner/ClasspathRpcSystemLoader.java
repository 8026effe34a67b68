package io.hfbeam.runner;

import java.util.ServiceLoader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.runtime.rpc.RpcSystemLoader;
import org.apache.flink.runtime.rpc.exceptions.RpcLoaderException;

/**
 * Loads Flink's Pekko RPC system from the application's own class path (the jar carries
 * flink-rpc-akka unpacked), for the embedded Flink cluster. Flink's default loader copies a 22 MB
 * jar to a temporary file on every start and loads its ~1,400 classes through a class loader of
 * their own, each run anew; from the class path they load like the rest of the application, and
 * from the class-data archive bin/hfbeam writes. Registered as a service with a higher priority
 * than Flink's loader.
 */
public final class ClasspathRpcSystemLoader implements RpcSystemLoader {
  @Override
  public int getLoadPriority() {
    return -1; // before Flink's PekkoRpcSystemLoader (0)
  }

  @Override
  public RpcSystem loadRpcSystem(Configuration config) {
    for (RpcSystem rpc :
        ServiceLoader.load(RpcSystem.class, ClasspathRpcSystemLoader.class.getClassLoader())) {
      return rpc;
    }
    throw new RpcLoaderException(
        "Flink's Pekko RPC system (flink-rpc-akka) is not on the class path");
  }
}
