package org.qmon.jobs.internal;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;
import org.qmon.api.hmp.HmpParameter;

/**
 * {@code job_cancel id}: {@code job-cancel} in the human monitor; errors print as QMP's
 * ({@code Error: Job not found}).
 */
@Component(service = HmpCommand.class)
public final class JobCancelHmp implements HmpCommand {

    @Override
    public HmpDefinition definition() {
        return HmpDefinition.command("job_cancel")
                .parameters(HmpParameter.string("id"))
                .params("id")
                .help("cancel the job 'id'")
                .calls("job-cancel")
                .build();
    }
}
