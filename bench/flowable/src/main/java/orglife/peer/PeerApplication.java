package orglife.peer;

import org.flowable.common.engine.impl.async.AsyncTaskExecutorConfiguration;
import org.flowable.common.engine.impl.async.DefaultAsyncTaskExecutor;
import org.flowable.engine.delegate.DelegateExecution;
import org.flowable.spring.SpringProcessEngineConfiguration;
import org.flowable.spring.boot.EngineConfigurationConfigurer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Flowable 7.1 with its process REST API, for bench/: the same human task as orglife's (see task.bpmn20.xml). */
@SpringBootApplication
public class PeerApplication {
  public static void main(String[] args) {
    SpringApplication.run(PeerApplication.class, args);
  }

  /**
   * The tuned async executor (`--peer.executor.threads=24 --peer.executor.queue=2048`): the Spring Boot starter
   * builds its job threads with fixed sizes (8 threads, a queue of 100) and no property for them, so the tuned
   * run replaces the pool here. Without the option the engine keeps its defaults.
   */
  @Bean
  EngineConfigurationConfigurer<SpringProcessEngineConfiguration> jobThreads(@Value("${peer.executor.threads:0}") int threads, @Value("${peer.executor.queue:100}") int queue) {
    return conf -> {
      if (threads <= 0) return;
      AsyncTaskExecutorConfiguration c = new AsyncTaskExecutorConfiguration();
      c.setCorePoolSize(threads);
      c.setMaxPoolSize(threads);
      c.setQueueSize(queue);
      c.setThreadPoolNamingPattern("peer-job-%d");
      DefaultAsyncTaskExecutor executor = new DefaultAsyncTaskExecutor(c);
      executor.start();
      conf.getAsyncExecutor().setTaskExecutor(executor);
      System.out.println("peer: async executor with " + threads + " threads, queue " + queue);
    };
  }

  /**
   * Writes the reminder / escalation record, as orglife's worker does, so the drain is measured on rows in the
   * same kind of place (a table) on both sides. Runs in the timer job's transaction.
   */
  @Component("records")
  public static class Records {
    private final JdbcTemplate jdbc;

    public Records(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
      jdbc.execute("create table if not exists peer_record (id bigserial primary key, proc_inst_id text not null, kind text not null, at timestamptz not null default now())");
    }

    public void write(DelegateExecution execution, String kind) {
      jdbc.update("insert into peer_record (proc_inst_id, kind) values (?, ?)", execution.getProcessInstanceId(), kind);
    }
  }
}
