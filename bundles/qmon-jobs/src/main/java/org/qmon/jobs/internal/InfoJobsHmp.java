package org.qmon.jobs.internal;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;

/**
 * {@code info jobs}: every job with a progress bar ({@link JobsText}), through {@code query-jobs}.
 */
@Component(service = HmpCommand.class)
public final class InfoJobsHmp implements HmpCommand {

    @Override
    public HmpDefinition definition() {
        return HmpDefinition.info("jobs")
                .help("show the jobs and their progress")
                .calls("query-jobs")
                .formatter((result, arguments) -> JobsText.fromQmp(result))
                .build();
    }
}
